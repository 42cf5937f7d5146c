import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/nets/random.js';
import { validationSplit } from '../../../training/classifier/train-classifier.js';
import type { DerivedLabel } from '../../../training/labels/derive.js';
import { assembleClassifierData, isHeldOut } from '../../../training/retrain/classifier-data.js';
import { comparePredictions, type SetComparison } from '../../../training/retrain/compare.js';
import { applyGate, type GateSettings } from '../../../training/retrain/gate.js';

const GATE: GateSettings = {
  confidence: 0.95,
  macroF1Tolerance: null,
  maxCategoryDrop: null,
  minCategorySupport: 10,
};

const comparison = (actual: string[], oldPred: string[], newPred: string[]): SetComparison =>
  comparePredictions('regression', 'regression set', actual, oldPred, newPred);

/**
 * A seeded stand-in for a bank regression set: `k` categories of `per` texts, and a version in
 * service that gets `accuracy` of them right (its errors spread over other categories).
 */
function bankSet(k = 77, per = 20, accuracy = 0.92, seed = 5) {
  const rng = seededRandom(seed);
  const cats = Array.from({ length: k }, (_, i) => `c${String(i).padStart(2, '0')}`);
  const actual = cats.flatMap((c) => new Array<string>(per).fill(c));
  const other = (c: string) => {
    let o = c;
    while (o === c) o = cats[Math.floor(rng.next() * k)]!;
    return o;
  };
  const old = actual.map((c) => (rng.next() < accuracy ? c : other(c)));
  /** The old predictions with `rate` of the texts re-drawn at the old accuracy: a retraining's noise. */
  const jitter = (rate: number) =>
    old.map((p, i) => (rng.next() < rate ? (rng.next() < accuracy ? actual[i]! : other(actual[i]!)) : p));
  return { cats, actual, old, other, rng, jitter };
}

describe('the promotion gate: worse beyond chance, set by set and category by category', () => {
  it('promotes a retraining that moved within noise, and says so with the interval', () => {
    const b = bankSet();
    const neu = b.jitter(0.06);
    const set = comparison(b.actual, b.old, neu);
    const v = applyGate([set], GATE);
    expect(v.pass).toBe(true);
    const f = v.sets![0]!.figures[0]!;
    expect(f.lo).toBeLessThan(0);
    expect(f.hi).toBeGreaterThan(0);
    expect(f.lo).toBeLessThanOrEqual(f.delta);
    expect(f.hi).toBeGreaterThanOrEqual(f.delta);
    expect(v.passes[0]).toMatch(
      /regression set macro-F1 \d+\.\d\d % → \d+\.\d\d % \([+−]\d+\.\d\d points, 95 % interval [+−]\d+\.\d\d to [+−]\d+\.\d\d\): not significantly worse/,
    );
    expect(v.sets![0]!.categories).toHaveLength(77);
    expect(v.sets![0]!.categories.every((c) => c.verdict !== 'worse')).toBe(true);
  });

  it('a drop within chance is refused by the hard floor when one is set', () => {
    const b = bankSet();
    // The first of a few seeded retrainings' noise that happens to come out lower.
    let set = comparison(b.actual, b.old, b.jitter(0.06));
    for (let i = 0; i < 10 && set.new.macroF1 >= set.old.macroF1; i++)
      set = comparison(b.actual, b.old, b.jitter(0.06));
    const drop = set.old.macroF1 - set.new.macroF1;
    expect(drop).toBeGreaterThan(0);
    expect(applyGate([set], GATE).pass).toBe(true);
    const v = applyGate([set], { ...GATE, macroF1Tolerance: (drop * 100) / 2 });
    expect(v.pass).toBe(false);
    expect(v.failures).toHaveLength(1);
    expect(v.failures[0]).toMatch(/more than the hard floor of [\d.]+ points/);
  });

  it('refuses shuffled labels: the whole interval far below zero', () => {
    const b = bankSet();
    const neu = b.actual.map(() => b.cats[Math.floor(b.rng.next() * b.cats.length)]!);
    const v = applyGate([comparison(b.actual, b.old, neu)], GATE);
    expect(v.pass).toBe(false);
    expect(v.sets![0]!.figures[0]!.hi).toBeLessThan(-0.5);
    expect(v.failures[0]).toMatch(/macro-F1 .*: worse beyond chance/);
    // Dozens of categories worse: the sentence names the eight surest and counts the rest.
    expect(v.failures[1]).toMatch(
      /^regression set: \d+ categories worse beyond chance: (.*; ){7}[^;]*; and \d+ more \(see the report\)$/,
    );
  });

  it("refuses one category's labels swapped with another's, naming both, though the set's macro-F1 moved ~2 points", () => {
    const b = bankSet();
    const swap = (c: string) => (c === 'c03' ? 'c40' : c === 'c40' ? 'c03' : c);
    const neu = b.jitter(0.03).map(swap);
    const v = applyGate([comparison(b.actual, b.old, neu)], GATE);
    expect(v.pass).toBe(false);
    const worse = v.sets![0]!.categories.filter((c) => c.verdict === 'worse').map((c) => c.label);
    expect(worse).toEqual(['c03', 'c40']);
    expect(v.failures.join('\n')).toMatch(
      /2 categories worse beyond chance: "c(03|40)" \d+\.\d\d → 0\.00 % right/,
    );
  });

  it('refuses a version trained on a tenth of the data (accuracy 92 → 80 %)', () => {
    const b = bankSet();
    const neu = b.actual.map((c) => (b.rng.next() < 0.8 ? c : b.other(c)));
    const v = applyGate([comparison(b.actual, b.old, neu)], GATE);
    expect(v.pass).toBe(false);
    expect(v.sets![0]!.figures[0]!.worse).toBe(true);
  });

  it('promotes a new category learned from labels: the old version scores 0 on it, which never counts against the new', () => {
    const b = bankSet(10, 20);
    const actual = [...b.actual, ...new Array<string>(15).fill('fresh')];
    const old = [...b.old, ...new Array<string>(15).fill('c01')];
    const neu = [...b.jitter(0.05), ...Array.from({ length: 15 }, (_, i) => (i < 12 ? 'fresh' : 'c02'))];
    const v = applyGate([comparison(actual, old, neu)], GATE);
    expect(v.pass).toBe(true);
    expect(v.sets![0]!.categories.find((c) => c.label === 'fresh')).toMatchObject({
      old: 0,
      new: 0.8,
      verdict: 'better',
    });
    expect(v.sets![0]!.figures[0]!.lo).toBeGreaterThan(0);
  });

  it('does not refuse one text lost on a small set (the old tolerance-0 rule did)', () => {
    const actual = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
    const v = applyGate([comparison(actual, actual, ['a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'])], GATE);
    expect(v.pass).toBe(true);
    expect(v.passes.at(-1)).toContain('no category has ≥ 10 texts');
  });

  it('applies the per-category hard floor only to categories with enough texts', () => {
    const actual = [...new Array<string>(10).fill('a'), ...new Array<string>(10).fill('b')];
    const neu = [...actual];
    neu[0] = 'b';
    neu[1] = 'b';
    const v = applyGate([comparison(actual, actual, neu)], { ...GATE, maxCategoryDrop: 5 });
    expect(v.pass).toBe(false);
    expect(v.failures.join('\n')).toMatch(/2 categories fell more than the hard floor of 5 points/);
    expect(
      applyGate([comparison(actual, actual, neu)], { ...GATE, maxCategoryDrop: 5, minCategorySupport: 11 })
        .pass,
    ).toBe(true);
  });

  it('judges every set: a version fine on the regression set but worse on the held-out labels is refused', () => {
    const b = bankSet(10, 30, 0.9, 9);
    const held = comparePredictions(
      'held_out',
      'held-out labels',
      b.actual,
      b.old,
      b.actual.map((c) => (b.rng.next() < 0.6 ? c : b.other(c))),
    );
    const v = applyGate([comparison(b.actual, b.old, b.old), held], GATE);
    expect(v.pass).toBe(false);
    expect(v.failures[0]).toMatch(/^held-out labels macro-F1/);
  });

  it('gives the same intervals for the same predictions (seeded)', () => {
    const b = bankSet();
    const set = comparison(b.actual, b.old, b.jitter(0.05));
    expect(applyGate([set], GATE).sets).toEqual(applyGate([set], GATE).sets);
  });

  it('refuses when no evaluation set has any text', () => {
    const v = applyGate([{ ...comparison(['a'], ['a'], ['a']), n: 0 }], GATE);
    expect(v.pass).toBe(false);
    expect(v.failures[0]).toContain('nothing shows the new version is not worse');
  });
});

describe('held-out split and training data', () => {
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

  it('finds the rows the version in service validated on, as its training drew them', () => {
    const y = Int32Array.from({ length: 60 }, (_, i) => i % 3);
    expect(validationSplit(y, 0.1, 1)).toEqual(validationSplit(y, 0.1, 1));
    expect(validationSplit(y, 0.1, 1).val).toHaveLength(6);
    expect(validationSplit(y, 0.1, 2).val).not.toEqual(validationSplit(y, 0.1, 1).val);
  });

  it('holds a text out by its hash: the same texts in every run, about the asked share', () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `customer text number ${i}`);
    const held = texts.filter((t) => isHeldOut(t, 0.2));
    expect(held.length / texts.length).toBeGreaterThan(0.17);
    expect(held.length / texts.length).toBeLessThan(0.23);
    expect(texts.filter((t) => isHeldOut(t.toUpperCase(), 0.2))).toEqual(held);
    expect(texts.filter((t) => isHeldOut(t, 0))).toEqual([]);
  });

  it('lets an operator label replace the base row of the same text and keeps held-out texts out of training', () => {
    const texts = Array.from({ length: 50 }, (_, i) => `question ${i}`);
    const heldText = texts.find((t) => isHeldOut(t, 0.2))!;
    const keptText = texts.find((t) => !isHeldOut(t, 0.2))!;
    const base = { texts: [heldText, keptText, 'other'], labels: ['old', 'old', 'old'] };
    const d = assembleClassifierData({
      base,
      labels: [label(heldText, 'new_cat'), label(keptText, 'fixed')],
      heldOutFraction: 0.2,
      baseValidation: new Set([2]),
      valFraction: 0,
      knownCategories: ['old'],
    });
    expect(d.train.texts).toEqual(['other', keptText]);
    expect(d.train.labels).toEqual(['old', 'fixed']);
    // The base row the version in service validated on validates again, never trains.
    expect(d.valRows).toEqual([0]);
    expect(d.heldOut).toEqual({ texts: [heldText], labels: ['new_cat'] });
    expect(d.summary).toMatchObject({
      trainRows: 1,
      valRows: 1,
      baseRelabelled: 1,
      baseHeldOut: 1,
      labelsTrain: 1,
      labelsHeldOut: 1,
      newCategories: ['fixed', 'new_cat'],
    });
  });
});
