import { describe, expect, it } from 'vitest';
import { validationSplit } from '../../../training/classifier/train-classifier.js';
import type { DerivedLabel } from '../../../training/labels/derive.js';
import { assembleClassifierData, isHeldOut } from '../../../training/retrain/classifier-data.js';
import { type SetComparison, scoreLabels } from '../../../training/retrain/compare.js';
import { applyGate } from '../../../training/retrain/gate.js';

const GATE = { macroF1Tolerance: 0, maxCategoryDrop: 10, minCategorySupport: 4 };

/** A comparison built from predicted labels of the old and new version on the same texts. */
function comparison(actual: string[], oldPred: string[], newPred: string[]): SetComparison {
  const labels = [...new Set([...actual, ...oldPred, ...newPred])].sort();
  return {
    name: 'regression',
    title: 'regression set',
    n: actual.length,
    labels,
    old: scoreLabels(oldPred, actual, labels),
    new: scoreLabels(newPred, actual, labels),
  };
}

const actual = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];

describe('the promotion gate', () => {
  it('passes a version that is as good or better everywhere', () => {
    const v = applyGate([comparison(actual, ['a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'], actual)], GATE);
    expect(v.pass).toBe(true);
    expect(v.failures).toEqual([]);
    expect(v.passes[0]).toMatch(/regression set macro-F1 87\.\d+ % → 100\.00 % \(\+12\.\d+ points\)/);
  });

  it('refuses a version whose macro-F1 drops, even by one text, at tolerance 0', () => {
    const v = applyGate([comparison(actual, actual, ['a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'])], GATE);
    expect(v.pass).toBe(false);
    expect(v.failures[0]).toMatch(
      /macro-F1 100\.00 % → 87\.\d+ % \(−12\.\d+ points\): dropped more than the 0 points allowed/,
    );
  });

  it('tolerates a drop within the configured tolerance but still names a category that fell too far', () => {
    const v = applyGate([comparison(actual, actual, ['a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'])], {
      ...GATE,
      macroF1Tolerance: 15,
    });
    expect(v.pass).toBe(false);
    expect(v.failures).toHaveLength(1);
    expect(v.failures[0]).toMatch(
      /2 categories with ≥ 4 examples lost more than 10 points of F1: "a" 100\.00 → 85\.71/,
    );
    expect(v.worstDrop).toMatchObject({ label: expect.any(String), support: 4 });
  });

  it('does not apply the per-category rule to categories with too few examples', () => {
    const v = applyGate([comparison(actual, actual, ['a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'])], {
      macroF1Tolerance: 15,
      maxCategoryDrop: 10,
      minCategorySupport: 5,
    });
    expect(v.pass).toBe(true);
    expect(v.passes.at(-1)).toContain('no category has ≥ 5 examples');
  });

  it('never counts learning a new category against the new version', () => {
    const withNew = [...actual, 'c', 'c', 'c', 'c'];
    const v = applyGate(
      [comparison(withNew, [...actual, 'a', 'a', 'b', 'b'], [...actual, 'c', 'c', 'c', 'c'])],
      GATE,
    );
    expect(v.pass).toBe(true);
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
