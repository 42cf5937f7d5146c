import { describe, expect, it } from 'vitest';
import type { DerivedPair } from '../../../training/labels/derive.js';
import { isHeldOut } from '../../../training/retrain/classifier-data.js';
import { assembleQaData, qaInputsHash, regressionSet } from '../../../training/retrain/qa-data.js';

const pair = (question: string, answer: string): DerivedPair => ({
  question,
  answer,
  answerId: null,
  source: 'reply',
  category: null,
  operator: 'ann',
  at: 1,
  messageId: 1,
  actionId: 1,
  bot: 'desk',
});
const kb = [
  { id: 1, text: 'Freeze your card in the app.', category: 'card_lost', createdAt: 1 },
  { id: 2, text: 'Refunds take 5 to 10 days.', category: 'refund', createdAt: 1 },
];

describe('Q/A retraining data', () => {
  it('ranks the knowledge base and the answers operators wrote, the one sent being right', () => {
    const texts = Array.from({ length: 40 }, (_, i) => `question number ${i}`);
    const held = texts.find((t) => isHeldOut(t, 0.2))!;
    const kept = texts.find((t) => !isHeldOut(t, 0.2))!;
    const d = assembleQaData({
      pairs: [pair(held, 'We open at nine.'), pair(kept, '  freeze your CARD in the app. ')],
      kb,
      heldOutFraction: 0.2,
      valFraction: 0,
    });
    // An answer equal to a stored one after normalisation is that answer; a written one joins the pool.
    expect(d.answers).toEqual([kb[0]!.text, kb[1]!.text, 'We open at nine.']);
    expect(d.train.questions).toEqual([kept]);
    expect([...d.train.positives]).toEqual([0]);
    expect(d.heldOut.questions).toEqual([held]);
    expect([...d.heldOut.lists[0]!.labels]).toEqual([0, 0, 1]);
    expect(d.summary).toMatchObject({
      pairs: 2,
      pairsTrain: 1,
      pairsHeldOut: 1,
      kbAnswers: 2,
      operatorAnswers: 1,
    });
  });

  it('leaves out regression questions whose category has no answer in the knowledge base', () => {
    const r = regressionSet(
      [
        { question: 'lost card', category: 'card_lost', label: 1 },
        { question: 'when do you open', category: 'opening_hours', label: 1 },
      ],
      kb,
    );
    expect(r.set.questions).toEqual(['lost card']);
    expect([...r.set.lists[0]!.labels]).toEqual([1, 0]);
    expect(r.categories).toEqual(['card_lost']);
  });

  it('hashes pairs and answers alike whatever their order, and differently when one changes', () => {
    const a = [pair('q1', 'a1'), pair('q2', 'a2')];
    expect(qaInputsHash(a, kb)).toBe(qaInputsHash([...a].reverse(), [...kb].reverse()));
    expect(qaInputsHash(a, kb)).not.toBe(qaInputsHash([pair('q1', 'a1')], kb));
    expect(qaInputsHash(a, kb)).not.toBe(qaInputsHash(a, [kb[0]!]));
  });
});
