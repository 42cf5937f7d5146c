import { seededRandom } from '../../src/nets/random.js';

/**
 * The statistics of the promotion gate: is a new version worse than the version in service on
 * the same texts, beyond what chance explains? Both versions answer the same texts, so the
 * tests are paired: McNemar's exact test on the texts one version gets right and the other
 * wrong, and a paired bootstrap (the same resampled texts for both versions) of a set figure's
 * change, which gives its confidence interval.
 */

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), exact (summed in log space, so any n works). */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logHalfN = n * Math.log(0.5);
  let sum = 0;
  for (let i = 0; i <= k; i++)
    sum += Math.exp(logFactorial(n) - logFactorial(i) - logFactorial(n - i) + logHalfN);
  return Math.min(1, sum);
}

/** McNemar's exact test on discordant texts: the old version right and the new wrong (`lost`), or the reverse (`gained`). */
export interface McNemar {
  lost: number;
  gained: number;
  /** One-sided p-value of "the new version is worse": P(at least `lost` of the discordant texts go against it by chance). */
  p: number;
}

export function mcnemar(lost: number, gained: number): McNemar {
  // Under "equally good" each discordant text is a fair coin: lost ~ Binomial(lost + gained, 1/2).
  return { lost, gained, p: lost === 0 ? 1 : binomialHalfCdf(gained, lost + gained) };
}

/**
 * Holm's step-down adjustment of p-values tested together (one per category): the chance of
 * calling any equally good category worse stays at the level asked, however many are tested.
 */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    out[i] = running;
  });
  return out;
}

/** A change and its confidence interval, as fractions (0.01 = one point). */
export interface Interval {
  delta: number;
  lo: number;
  hi: number;
  /** The interval's level, e.g. 0.95. */
  confidence: number;
}

/**
 * Paired bootstrap: `resamples` draws of n texts with replacement (seeded), the same draw for
 * both versions; `change(draw)` gives the new-minus-old figure on a draw. The interval is the
 * central `confidence` share of those changes (percentile method); `delta` is the change on the
 * set itself.
 */
export function pairedBootstrap(
  n: number,
  change: (draw: Int32Array) => number,
  o: { resamples?: number; seed?: number; confidence: number },
): Interval {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const delta = change(all);
  if (n === 0) return { delta, lo: delta, hi: delta, confidence: o.confidence };
  const rng = seededRandom(o.seed ?? 1);
  const resamples = o.resamples ?? 1000;
  const changes = new Float64Array(resamples);
  const draw = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw[i] = Math.floor(rng.next() * n);
    changes[r] = change(draw);
  }
  changes.sort();
  const tail = (1 - o.confidence) / 2;
  const at = (q: number) => changes[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { delta, lo: at(tail), hi: at(1 - tail), confidence: o.confidence };
}

/**
 * Macro-F1 of predicted class indices over the texts of a draw (classes present in the draw,
 * as `classificationReport` averages over classes present in the set). `k` classes.
 */
export function macroF1Of(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  k: number,
  draw: ArrayLike<number>,
): number {
  const tp = new Float64Array(k);
  const asPredicted = new Float64Array(k);
  const support = new Float64Array(k);
  for (let j = 0; j < draw.length; j++) {
    const i = draw[j]!;
    const a = actual[i]!;
    const p = predicted[i]!;
    support[a]! += 1;
    asPredicted[p]! += 1;
    if (a === p) tp[a]! += 1;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    if (support[c] === 0) continue;
    present++;
    const precision = asPredicted[c] ? tp[c]! / asPredicted[c]! : 0;
    const recall = tp[c]! / support[c]!;
    sum += precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  }
  return present ? sum / present : 0;
}

/** Mean of per-text values over a draw. */
export function meanOf(values: ArrayLike<number>, draw: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < draw.length; j++) s += values[draw[j]!]!;
  return draw.length ? s / draw.length : 0;
}
