import { calibratedSoftmax } from '../../src/nets/classifier/infer.js';

/** Mean negative log-likelihood of the labels under softmax(logits / T). */
export function nll(logits: Float32Array, labels: Int32Array, classes: number, temperature: number): number {
  const p = calibratedSoftmax(logits, classes, temperature);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(Math.max(p[i * classes + labels[i]!]!, 1e-12));
  return sum / labels.length;
}

/**
 * Temperature scaling (Guo et al. 2017): the T > 0 minimising the validation NLL, by golden
 * section search over log T in [1/20, 20]. It changes confidences, never the predicted class.
 */
export function fitTemperature(logits: Float32Array, labels: Int32Array, classes: number): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  const f = (x: number) => nll(logits, labels, classes, Math.exp(x));
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Top-1 confidence and correctness of each row of calibrated probabilities. */
export function confidences(
  probs: Float32Array,
  labels: Int32Array,
  classes: number,
): Array<{ conf: number; right: boolean }> {
  return Array.from(labels, (y, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    return { conf: probs[i * classes + best]!, right: best === y };
  });
}

/** Expected calibration error over `bins` equal-width confidence bins. */
export function expectedCalibrationError(rows: Array<{ conf: number; right: boolean }>, bins = 15): number {
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  for (const r of rows) {
    const b = Math.min(bins - 1, Math.floor(r.conf * bins));
    count[b]! += 1;
    conf[b]! += r.conf;
    acc[b]! += r.right ? 1 : 0;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(acc[b]! - conf[b]!) / rows.length;
  return ece;
}

/**
 * The "unsure" threshold: the lowest confidence t such that predictions with confidence ≥ t
 * are right at least `precision` of the time on the validation split. Below it, a human looks.
 */
export function chooseUnsureThreshold(
  rows: Array<{ conf: number; right: boolean }>,
  precision: number,
): number {
  const sorted = [...rows].sort((a, b) => b.conf - a.conf);
  let right = 0;
  let threshold = 1;
  sorted.forEach((r, i) => {
    right += r.right ? 1 : 0;
    if (right / (i + 1) >= precision) threshold = r.conf;
  });
  return threshold;
}
