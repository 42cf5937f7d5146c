import type { Scoring } from '../../src/nets/qa/scoring.js';
import type { PairFeatures } from './eval-set.js';

/**
 * Fits the served scoring on validation pairs, in two convex steps:
 * 1. ranking weights of (cosine, overlap count, IDF-weighted overlap) by a listwise softmax
 *    over each question's candidates (what MAP rewards), with a little L2;
 * 2. Platt scaling of the resulting key into a probability that a candidate is right.
 * Without lexical features only the cosine's weight and the Platt step are fitted.
 */
export function fitScoring(features: readonly PairFeatures[], lexical: boolean, iterations = 300): Scoring {
  const lists = features.filter((f) => f.labels.some((l) => l > 0));
  const dims = lexical ? 3 : 1;
  const w = new Float64Array(dims);
  w[0] = 10;
  const x = (f: PairFeatures, j: number, k: number) =>
    k === 0 ? f.dot[j]! : k === 1 ? f.count[j]! : f.weighted[j]! / 10;
  const l2 = 1e-3;
  // Adam on the mean listwise log-likelihood: a few hundred steps over a few thousand pairs.
  const m = new Float64Array(dims);
  const v = new Float64Array(dims);
  for (let it = 1; it <= iterations && lists.length > 0; it++) {
    const g = new Float64Array(dims);
    for (const f of lists) {
      const n = f.dot.length;
      const keys = new Float64Array(n);
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        let key = 0;
        for (let k = 0; k < dims; k++) key += w[k]! * x(f, j, k);
        keys[j] = key;
        max = Math.max(max, key);
      }
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(keys[j]! - max);
      let positives = 0;
      for (let j = 0; j < n; j++) positives += f.labels[j]! > 0 ? 1 : 0;
      for (let j = 0; j < n; j++) {
        const p = Math.exp(keys[j]! - max) / sum;
        const target = f.labels[j]! > 0 ? 1 / positives : 0;
        for (let k = 0; k < dims; k++) g[k]! += (p - target) * x(f, j, k);
      }
    }
    for (let k = 0; k < dims; k++) {
      const grad = g[k]! / lists.length + l2 * w[k]!;
      m[k] = 0.9 * m[k]! + 0.1 * grad;
      v[k] = 0.999 * v[k]! + 0.001 * grad * grad;
      const mh = m[k]! / (1 - 0.9 ** it);
      const vh = v[k]! / (1 - 0.999 ** it);
      w[k]! -= (0.1 * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  const ranking = { dense: w[0]!, count: lexical ? w[1]! : 0, weighted: lexical ? w[2]! / 10 : 0 };
  const { a, b } = platt(features, ranking);
  return { dense: a * ranking.dense, count: a * ranking.count, weighted: a * ranking.weighted, bias: b };
}

/** Mean log-loss of σ(a·key + b) against 0/1 labels. */
function logLoss(keys: Float64Array, ys: Uint8Array, a: number, b: number): number {
  let loss = 0;
  for (let i = 0; i < keys.length; i++) {
    const z = a * keys[i]! + b;
    // log(1 + e^z) - y·z, computed without overflow.
    loss += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - ys[i]! * z;
  }
  return loss / Math.max(1, keys.length);
}

/**
 * Logistic regression of the labels on one key: P(right) = σ(a·key + b), by Newton's method
 * with step halving (a full Newton step can overshoot far from the optimum).
 */
function platt(features: readonly PairFeatures[], r: Omit<Scoring, 'bias'>): { a: number; b: number } {
  const n = features.reduce((sum, f) => sum + f.dot.length, 0);
  const keys = new Float64Array(n);
  const ys = new Uint8Array(n);
  let i = 0;
  for (const f of features)
    for (let j = 0; j < f.dot.length; j++, i++) {
      keys[i] = r.dense * f.dot[j]! + r.count * f.count[j]! + r.weighted * f.weighted[j]!;
      ys[i] = f.labels[j]! > 0 ? 1 : 0;
    }
  let a = 1;
  let b = 0;
  let loss = logLoss(keys, ys, a, b);
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let k = 0; k < n; k++) {
      const p = 1 / (1 + Math.exp(-(a * keys[k]! + b)));
      const e = p - ys[k]!;
      ga += e * keys[k]!;
      gb += e;
      const w = p * (1 - p);
      haa += w * keys[k]! * keys[k]!;
      hab += w * keys[k]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = logLoss(keys, ys, a - da, b - db);
    while (!(next <= loss) && step > 1e-6) {
      step /= 2;
      next = logLoss(keys, ys, a - step * da, b - step * db);
    }
    if (!(next <= loss)) break;
    a -= step * da;
    b -= step * db;
    const done = loss - next < 1e-10;
    loss = next;
    if (done) break;
  }
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 ? { a, b } : { a: 1, b: 0 };
}
