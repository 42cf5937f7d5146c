import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/nets/random.js';
import { replaySchedule } from '../../../training/classifier/trainer.js';
import type { DerivedLabel } from '../../../training/labels/derive.js';
import { assembleClassifierData, isHeldOut } from '../../../training/retrain/classifier-data.js';
import { recipeOf } from '../../../training/retrain/recipe.js';

const label = (text: string, category: string): DerivedLabel => ({
  text,
  category,
  source: 'correction',
  operator: 'ann',
  at: 1,
  messageId: 1,
  actionId: 1,
  bot: 'desk',
});

describe("a fine-tune's replay of the base data", () => {
  // Two languages (strata 0–1 English, 2–3 Russian), one category twice the size of the other,
  // and ten operator labels (-1) that every epoch must see.
  const strata = Int32Array.from([
    ...new Array<number>(400).fill(0),
    ...new Array<number>(200).fill(1),
    ...new Array<number>(400).fill(2),
    ...new Array<number>(200).fill(3),
    ...new Array<number>(10).fill(-1),
  ]);
  const labelRows = [...Array(10).keys()].map((i) => 1200 + i);

  it('trains every epoch on all the labels and a sample of each stratum in proportion to its size', () => {
    const epoch = replaySchedule({ strata, rows: 300 }, seededRandom(1)).epoch;
    const rows = epoch(1);
    expect(rows.filter((i) => strata[i] === -1).sort((a, b) => a - b)).toEqual(labelRows);
    const per = [0, 1, 2, 3].map((s) => rows.filter((i) => strata[i] === s).length);
    expect(per).toEqual([100, 50, 100, 50]);
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('gives each row the share of epochs it is seen in, so class weights balance what an epoch sees', () => {
    const { share } = replaySchedule({ strata, rows: 300 }, seededRandom(1));
    expect(share[0]).toBeCloseTo(0.25);
    expect(share[450]).toBeCloseTo(0.25);
    expect(share[1205]).toBe(1);
  });

  it('draws a different sample each epoch and covers a stratum before repeating a row', () => {
    const epoch = replaySchedule({ strata, rows: 300 }, seededRandom(1)).epoch;
    const seen = new Set<number>();
    for (let e = 1; e <= 4; e++) for (const i of epoch(e)) if (strata[i] === 0) seen.add(i);
    // Four epochs of 100 rows from a stratum of 400: every row once.
    expect(seen.size).toBe(400);
    const first = new Set(epoch(1));
    expect(epoch(2).filter((i) => strata[i]! >= 0 && first.has(i))).toEqual([]);
    // Seeded: the same plan and seed give the same epochs.
    expect(replaySchedule({ strata, rows: 300 }, seededRandom(1)).epoch(3)).toEqual(epoch(3));
  });

  it('keeps at least one row of a small category', () => {
    const small = Int32Array.from([...new Array<number>(1000).fill(0), 1, 1]);
    const rows = replaySchedule({ strata: small, rows: 100 }, seededRandom(2)).epoch(1);
    expect(rows.filter((i) => small[i] === 1)).toHaveLength(1);
  });

  it('puts base rows in strata by file and category, and labels and validation rows in none', () => {
    const texts = Array.from({ length: 40 }, (_, i) => `question ${i}`).filter((t) => !isHeldOut(t, 0.2));
    const en = texts.slice(0, 4);
    const ru = texts.slice(4, 8);
    const d = assembleClassifierData({
      base: { texts: [...en, ...ru], labels: ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'] },
      baseFileRows: [4, 4],
      labels: [label(texts[9]!, 'a')],
      heldOutFraction: 0.2,
      baseValidation: new Set([3]),
      valFraction: 0,
      knownCategories: ['a', 'b'],
    });
    expect(d.train.texts).toEqual([...en, ...ru, texts[9]]);
    // en/a, en/b, ru/a, ru/b; row 3 validates, the label is always seen.
    expect(Array.from(d.strata)).toEqual([0, 1, 0, -1, 2, 3, 2, 3, -1]);
    expect(() =>
      assembleClassifierData({
        base: { texts: en, labels: ['a', 'b', 'a', 'b'] },
        baseFileRows: [3],
        labels: [],
        heldOutFraction: 0.2,
        baseValidation: new Set(),
        valFraction: 0,
        knownCategories: ['a', 'b'],
      }),
    ).toThrow(/3 rows between them, the base data 4/);
  });

  it('is a recipe setting of fine-tunes only: 3,000 rows by default, all of them for a run from scratch', () => {
    const old = {
      topology: { conv: null, wide: { vocab: 2 ** 16 } },
      meta: { training: { maxEpochs: 10 }, vectoriser: {}, unsureRule: '' },
    } as unknown as Parameters<typeof recipeOf>[0];
    const o = { bot: 'b', dryRun: false, heldOutFraction: 0.2, shuffleLabels: false } as Parameters<
      typeof recipeOf
    >[1];
    expect(recipeOf(old, o).replayRows).toBe(3000);
    expect(recipeOf(old, { ...o, replayRows: 500 }).replayRows).toBe(500);
    expect(recipeOf(old, { ...o, replayRows: 0 }).replayRows).toBeNull();
    expect(recipeOf(old, { ...o, fromScratch: true, replayRows: 500 }).replayRows).toBeNull();
    expect(recipeOf(old, { ...o, shuffleLabels: true }).replayRows).toBeNull();
  });
});
