/** Precision@k: the share of the top k that is relevant. */
export function precisionAt<T>(ranked: ArrayLike<T>, relevant: ReadonlySet<T>, k: number): number {
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) hits++;
  return hits / k;
}

/** nDCG@k with binary relevance: DCG over the ideal DCG of min(k, |relevant|) hits. */
export function ndcgAt<T>(ranked: ArrayLike<T>, relevant: ReadonlySet<T>, k: number): number {
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++)
    if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/** Hit@k: 1 when any of the top k is relevant. */
export function hitAt<T>(ranked: ArrayLike<T>, relevant: ReadonlySet<T>, k: number): number {
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) return 1;
  return 0;
}

/** Running mean. */
export class Mean {
  private sum = 0;
  private n = 0;
  /** Adds one observation. */
  add(x: number): void {
    this.sum += x;
    this.n++;
  }
  /** The mean so far (0 when empty). */
  get value(): number {
    return this.n ? this.sum / this.n : 0;
  }
  /** Number of observations. */
  get count(): number {
    return this.n;
  }
}
