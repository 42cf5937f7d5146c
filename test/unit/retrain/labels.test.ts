import { describe, expect, it } from 'vitest';
import type { AnswerActionRow, CategoryActionRow } from '../../../src/store/repositories/operator-labels.js';
import { deriveAnswerPairs, deriveLabels, textKey } from '../../../training/labels/derive.js';

let nextId = 1;
function action(
  text: string,
  category: string,
  at: number,
  kind: CategoryActionRow['action'] = 'correct_category',
): CategoryActionRow {
  const id = nextId++;
  return {
    actionId: id,
    action: kind,
    bot: 'desk',
    messageId: 100 + id,
    text,
    category,
    operator: 'ann',
    createdAt: at,
    netVersions: {},
  };
}

describe('labels derived from operator actions', () => {
  it('keeps one label per text, the latest correction winning over earlier ones', () => {
    const { labels, stats } = deriveLabels([
      action('Where is my card?', 'card_arrival', 1),
      action('where is  my CARD?', 'card_delivery_estimate', 2),
      action('Close my account', 'terminate_account', 3),
    ]);
    expect(labels.map((l) => [l.text, l.category])).toEqual([
      ['where is  my CARD?', 'card_delivery_estimate'],
      ['Close my account', 'terminate_account'],
    ]);
    expect(stats).toMatchObject({ actions: 3, corrections: 3, conflicts: 1, duplicates: 0, kept: 2 });
  });

  it('lets an explicit correction outrank a later reply that left another category standing', () => {
    const { labels, stats } = deriveLabels([
      action('I lost my card', 'lost_or_stolen_card', 1, 'correct_category'),
      action('i lost my card', 'card_arrival', 5, 'reply'),
    ]);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ category: 'lost_or_stolen_card', source: 'correction' });
    expect(stats).toMatchObject({ corrections: 1, confirmations: 1, conflicts: 1 });
  });

  it('takes replies, accepted and edited suggestions as confirmations of the category left standing', () => {
    const { labels } = deriveLabels([
      action('a', 'x', 1, 'reply'),
      action('b', 'y', 2, 'accept_suggestion'),
      action('c', 'z', 3, 'edit_suggestion'),
      action('c', 'w', 4, 'edit_suggestion'),
    ]);
    expect(labels.map((l) => [l.text, l.category, l.source])).toEqual([
      ['a', 'x', 'confirmation'],
      ['b', 'y', 'confirmation'],
      ['c', 'w', 'confirmation'],
    ]);
  });

  it('drops empty texts and categories and counts repeated labels as duplicates', () => {
    const { labels, stats } = deriveLabels([
      action('   ', 'card_arrival', 1),
      action('hello', ' ', 2),
      action('Refund please', 'request_refund', 3),
      action('refund please', 'request_refund', 4, 'reply'),
    ]);
    expect(labels.map((l) => l.text)).toEqual(['Refund please']);
    expect(stats).toMatchObject({
      empty: 2,
      duplicates: 1,
      conflicts: 0,
      kept: 1,
      perCategory: { request_refund: 1 },
    });
  });

  it('treats texts that differ only in case, spacing or Unicode form as one', () => {
    expect(textKey('  Ｃard\tARRIVAL  ')).toBe(textKey('card arrival'));
  });
});

describe('question and answer pairs from operator replies', () => {
  const reply = (
    question: string,
    answer: string,
    at: number,
    kind: AnswerActionRow['action'] = 'reply',
  ): AnswerActionRow => ({
    actionId: at,
    action: kind,
    bot: 'desk',
    messageId: at,
    question,
    answer,
    answerId: kind === 'reply' ? null : 7,
    category: null,
    operator: 'bob',
    createdAt: at,
  });

  it('pairs each question with its latest non-empty answer', () => {
    const { pairs, stats } = deriveAnswerPairs([
      reply('How do I close my account?', 'Go to settings.', 1, 'accept_suggestion'),
      reply('how do i close my account?', 'Settings → Account → Close.', 2, 'edit_suggestion'),
      reply('Is there a fee?', '  ', 3),
      reply('', 'orphan answer', 4),
    ]);
    expect(pairs.map((p) => [p.question, p.answer, p.source])).toEqual([
      ['how do i close my account?', 'Settings → Account → Close.', 'edit_suggestion'],
    ]);
    expect(stats).toEqual({ actions: 4, empty: 2, replaced: 1, kept: 1 });
  });
});
