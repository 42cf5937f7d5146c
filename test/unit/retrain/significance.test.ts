import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/nets/random.js';
import {
  binomialHalfCdf,
  holm,
  macroF1Of,
  mcnemar,
  meanOf,
  pairedBootstrap,
} from '../../../training/retrain/significance.js';

describe("the gate's statistics", () => {
  it('binomial CDF at one half, exactly', () => {
    expect(binomialHalfCdf(2, 10)).toBeCloseTo(56 / 1024, 12);
    expect(binomialHalfCdf(0, 3)).toBeCloseTo(1 / 8, 12);
    expect(binomialHalfCdf(5, 10)).toBeCloseTo(638 / 1024, 12);
    expect(binomialHalfCdf(-1, 4)).toBe(0);
    expect(binomialHalfCdf(4, 4)).toBe(1);
    // Large n stays finite (no 0.5^n underflow): 2,000 fair coins, at most 1,000 heads.
    expect(binomialHalfCdf(1000, 2000)).toBeCloseTo(0.5 + 0.5 * 0.01784, 3);
  });

  it("McNemar: one-sided p of 'the new version is worse'", () => {
    expect(mcnemar(10, 0).p).toBeCloseTo(1 / 1024, 12);
    expect(mcnemar(0, 10).p).toBe(1);
    expect(mcnemar(5, 5).p).toBeCloseTo(638 / 1024, 12);
    expect(mcnemar(24, 16).p).toBeGreaterThan(0.1);
  });

  it("Holm's adjustment keeps order and never lowers a p-value", () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
  });

  it('paired bootstrap: seeded, brackets the change, narrows with more texts', () => {
    const rng = seededRandom(3);
    const make = (n: number) => {
      const old = Float64Array.from({ length: n }, () => (rng.next() < 0.9 ? 1 : 0));
      const neu = old.map((x) => (rng.next() < 0.05 ? 1 - x : x));
      return { old, neu };
    };
    const small = make(200);
    const big = make(5000);
    const ci = (d: { old: Float64Array; neu: Float64Array }, seed = 1) =>
      pairedBootstrap(d.old.length, (draw) => meanOf(d.neu, draw) - meanOf(d.old, draw), {
        confidence: 0.95,
        seed,
      });
    const a = ci(small);
    expect(ci(small)).toEqual(a);
    expect(a.lo).toBeLessThanOrEqual(a.delta);
    expect(a.hi).toBeGreaterThanOrEqual(a.delta);
    const b = ci(big);
    expect(b.hi - b.lo).toBeLessThan((a.hi - a.lo) / 3);
    // 5 % of the texts flipped: 4.5 % of them right → wrong, 0.5 % wrong → right: −4 points expected.
    expect(b.lo).toBeLessThan(-0.04);
    expect(b.hi).toBeGreaterThan(-0.04);
    expect(b.hi).toBeLessThan(0);
  });

  it('macro-F1 of a draw agrees with the set figure on the whole set', () => {
    const actual = [0, 0, 1, 1, 2, 2];
    const predicted = [0, 1, 1, 1, 2, 0];
    const f1 = [0.5, 0.8, 2 / 3];
    expect(macroF1Of(predicted, actual, 3, [0, 1, 2, 3, 4, 5])).toBeCloseTo(
      (f1[0]! + f1[1]! + f1[2]!) / 3,
      12,
    );
    // Class 2 absent from the draw: averaged over the classes present.
    expect(macroF1Of(predicted, actual, 3, [0, 2, 3])).toBeCloseTo(1, 12);
  });
});
