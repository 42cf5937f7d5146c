import { describe, expect, it } from 'vitest';
import { parseBotFile } from '../../../src/channels/bot-files.js';
import type { Bot } from '../../../src/core/bots/bot.js';
import { asksForPerson, decide, decideChoice, type PolicyInput, queueFor } from '../../../src/core/policy.js';
import type { Classification, SuggestionResult } from '../../../src/core/ports.js';

const file = {
  name: 'shop',
  defaultLanguage: 'en',
  nets: { classifier: 'c', qa: 'q' },
  policy: { minConfidence: 0.7, minConfidenceGap: 0.2, minAnswerGap: 0.05, neverAutoAnswer: ['fraud'] },
  queues: { default: 'general', byCategory: { fraud: 'security', delivery: 'logistics' } },
  templates: {
    en: {
      greeting: 'Hi, {name}!',
      handoff: 'Passing you on, {name}.',
      fallback: 'Text please.',
      talkToPerson: 'Person',
      handoffKeywords: ['operator'],
    },
    ru: {
      greeting: 'Привет, {name}!',
      handoff: 'Передаю сотруднику, {name}.',
      fallback: 'Текстом, пожалуйста.',
      talkToPerson: 'Сотрудник',
      handoffKeywords: ['оператор'],
    },
  },
  channels: {},
};
const problems: string[] = [];
const bot: Bot = {
  name: 'shop',
  file: 'shop.json',
  config: parseBotFile('shop.json', JSON.stringify(file), problems)!,
  channels: {},
};

const classification = (
  category: string,
  confidence: number,
  second = 0.05,
  unsure = false,
): Classification => ({
  category,
  confidence,
  unsure,
  top: [
    { category, confidence },
    { category: 'other', confidence: second },
  ],
  net: { name: 'c', version: '1' },
  latencyMs: 1,
});

const answers = (...list: Array<[number, string, number]>): SuggestionResult => ({
  suggestions: list.map(([answerId, category, score]) => ({
    answerId,
    category,
    score,
    text: `answer ${answerId}`,
  })),
  net: { name: 'q', version: '1' },
  threshold: 0.6,
  latencyMs: 1,
});

const input = (over: Partial<PolicyInput> = {}): PolicyInput => ({
  text: 'where is my parcel',
  language: 'en',
  customerName: 'Ann',
  status: 'bot',
  askedForPerson: false,
  classification: classification('delivery', 0.9),
  suggestions: answers([1, 'delivery', 0.8], [2, 'returns', 0.4]),
  ...over,
});

describe('bot policy', () => {
  it('answers by itself when the category and the answer are both confident', () => {
    expect(decide(bot, input())).toMatchObject({
      action: 'auto_reply',
      reason: 'confident',
      replyText: 'answer 1',
      category: 'delivery',
    });
  });

  it('hands off below the confidence threshold, to the category’s queue, in the customer’s language', () => {
    const d = decide(bot, input({ classification: classification('delivery', 0.6), language: 'ru' }));
    expect(d).toMatchObject({
      action: 'handoff',
      reason: 'low_confidence',
      queue: 'logistics',
      language: 'ru',
    });
    expect(d.replyText).toBe('Передаю сотруднику, Ann.');
    expect(d.suggestions).toHaveLength(2);
  });

  it('hands off when the classifier marks itself unsure, whatever the confidence', () => {
    expect(decide(bot, input({ classification: classification('delivery', 0.9, 0.05, true) })).reason).toBe(
      'low_confidence',
    );
  });

  it('never answers a category listed as never auto-answered', () => {
    expect(decide(bot, input({ classification: classification('fraud', 0.99) }))).toMatchObject({
      action: 'handoff',
      reason: 'sensitive_category',
      queue: 'security',
    });
  });

  it('hands off when the top two categories are too close', () => {
    expect(decide(bot, input({ classification: classification('delivery', 0.75, 0.6) })).reason).toBe(
      'ambiguous_category',
    );
  });

  it('hands off when the best answer scores under the QA net’s threshold, or the bot’s own', () => {
    expect(decide(bot, input({ suggestions: answers([1, 'delivery', 0.55]) })).reason).toBe(
      'low_answer_score',
    );
    const strict: Bot = {
      ...bot,
      config: { ...bot.config, policy: { ...bot.config.policy, minAnswerScore: 0.85 } },
    };
    expect(decide(strict, input()).reason).toBe('low_answer_score');
  });

  it('hands off when two answers of different categories are too close, but not two of the same', () => {
    expect(
      decide(bot, input({ suggestions: answers([1, 'delivery', 0.8], [2, 'returns', 0.78]) })).reason,
    ).toBe('ambiguous_answer');
    expect(
      decide(bot, input({ suggestions: answers([1, 'delivery', 0.8], [3, 'delivery', 0.79]) })).action,
    ).toBe('auto_reply');
  });

  it('hands off when there is no answer at all or no classification', () => {
    expect(decide(bot, input({ suggestions: answers() })).reason).toBe('no_answer');
    expect(decide(bot, input({ classification: undefined, suggestions: undefined })).reason).toBe(
      'not_classified',
    );
  });

  it('stays silent where an operator has taken the conversation', () => {
    expect(decide(bot, input({ status: 'assigned' }))).toMatchObject({
      action: 'silent',
      reason: 'operator_active',
      replyText: null,
    });
  });

  it('does not repeat the handoff message to a customer already waiting for an operator', () => {
    const d = decide(bot, input({ status: 'queued', askedForPerson: true }));
    expect(d).toMatchObject({ action: 'handoff', replyText: null });
  });

  it('hands off at the customer’s request, and answers an empty message with the fallback', () => {
    expect(decide(bot, input({ askedForPerson: true })).reason).toBe('customer_request');
    expect(decide(bot, input({ text: '  ', classification: undefined }))).toMatchObject({
      action: 'fallback',
      replyText: 'Text please.',
    });
  });

  it('recognises the handoff keywords of every language and maps categories to queues', () => {
    expect(asksForPerson(bot, 'Can I talk to an OPERATOR?')).toBe(true);
    expect(asksForPerson(bot, 'позовите оператора')).toBe(true);
    expect(asksForPerson(bot, 'where is my parcel')).toBe(false);
    expect(queueFor(bot, 'delivery')).toBe('logistics');
    expect(queueFor(bot, 'unknown')).toBe('general');
    expect(queueFor(bot, null)).toBe('general');
  });

  it('drops the name placeholder cleanly when the name is unknown', () => {
    expect(
      decide(bot, input({ customerName: null, classification: classification('fraud', 0.9) })).replyText,
    ).toBe('Passing you on.');
  });

  it('sends the answer a waiting customer picked, and ignores a pick it never offered', () => {
    const choice = { answerId: 7, text: 'the picked answer', score: 0.7, category: 'returns' };
    expect(decideChoice(bot, input({ status: 'queued' }), choice)).toMatchObject({
      action: 'auto_reply',
      reason: 'customer_choice',
      replyText: 'the picked answer',
      category: 'returns',
    });
    expect(decideChoice(bot, input(), undefined)).toMatchObject({
      action: 'silent',
      reason: 'unknown_choice',
    });
    expect(decideChoice(bot, input({ status: 'assigned' }), choice)).toMatchObject({
      action: 'silent',
      replyText: null,
    });
  });
});
