/** Per-class precision, recall, F1 and support. */
export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Accuracy, macro-F1, per-class scores and the most confused pairs of a set of predictions. */
export interface ClassificationReport {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassScore[];
  confused: Array<{ actual: string; predicted: string; count: number }>;
}

/** Scores predicted class indices against true ones. */
export function classificationReport(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  labels: readonly string[],
  topConfused = 10,
): ClassificationReport {
  const k = labels.length;
  const confusion = new Float64Array(k * k);
  let right = 0;
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]! * k + predicted[i]!]! += 1;
    if (actual[i] === predicted[i]) right++;
  }
  const perClass = labels.map((label, c) => {
    let tp = 0;
    let predictedAs = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predictedAs += confusion[j * k + c]!;
      support += confusion[c * k + j]!;
    }
    tp = confusion[c * k + c]!;
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const present = perClass.filter((c) => c.support > 0);
  const confused: ClassificationReport['confused'] = [];
  for (let a = 0; a < k; a++) {
    for (let p = 0; p < k; p++) {
      if (a !== p && confusion[a * k + p]! > 0) {
        confused.push({ actual: labels[a]!, predicted: labels[p]!, count: confusion[a * k + p]! });
      }
    }
  }
  confused.sort((x, y) => y.count - x.count || x.actual.localeCompare(y.actual));
  return {
    n: actual.length,
    accuracy: actual.length ? right / actual.length : 0,
    macroF1: present.reduce((s, c) => s + c.f1, 0) / Math.max(1, present.length),
    perClass,
    confused: confused.slice(0, topConfused),
  };
}

/** The value at quantile q (0..1) of a list of numbers. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
