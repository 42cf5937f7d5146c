/** One text's prediction. */
export interface Prediction {
  category: string;
  /** Calibrated probability of `category`. */
  confidence: number;
  /** True when `confidence` is under the net's threshold: a human should look. */
  unsure: boolean;
  top: Array<{ category: string; confidence: number }>;
}

/**
 * The top-k categories of one row of calibrated probabilities (ties keep class order). Used
 * in-process and on the HTTP thread after a batch ran elsewhere, so both give the same answer.
 */
export function toPrediction(
  probs: Float32Array,
  labels: readonly string[],
  unsureThreshold: number,
  k: number,
): Prediction {
  const order = Array.from(probs.keys())
    .sort((a, b) => probs[b]! - probs[a]!)
    .slice(0, Math.max(1, Math.min(k, probs.length)));
  const top = order.map((c) => ({ category: labels[c]!, confidence: probs[c]! }));
  return { ...top[0]!, unsure: top[0]!.confidence < unsureThreshold, top };
}
