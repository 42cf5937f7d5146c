/**
 * Keeps the `k` largest scores seen so far in a min-heap, so picking the best `k` of `n`
 * candidates costs n·log k rather than a full sort. Reused across rows via `reset`.
 */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** Forgets every candidate. */
  reset(): void {
    this.size = 0;
  }

  /** Offers a candidate; it stays if it is among the best `k` so far. Ties keep the lower id. */
  push(id: number, score: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(id, score, this.ids[parent]!, this.scores[parent]!)) break;
        this.ids[i] = this.ids[parent]!;
        this.scores[i] = this.scores[parent]!;
        i = parent;
      }
      this.ids[i] = id;
      this.scores[i] = score;
      return;
    }
    if (this.k === 0 || !this.worse(this.ids[0]!, this.scores[0]!, id, score)) return;
    this.siftDown(id, score);
  }

  /** The kept candidates, best first. */
  sorted(): { ids: Int32Array; scores: Float32Array } {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) =>
      this.worse(this.ids[a]!, this.scores[a]!, this.ids[b]!, this.scores[b]!) ? 1 : -1,
    );
    const ids = new Int32Array(this.size);
    const scores = new Float32Array(this.size);
    order.forEach((from, to) => {
      ids[to] = this.ids[from]!;
      scores[to] = this.scores[from]!;
    });
    return { ids, scores };
  }

  /** True when (a, sa) ranks below (b, sb): lower score, or equal score and higher id. */
  private worse(a: number, sa: number, b: number, sb: number): boolean {
    return sa < sb || (sa === sb && a > b);
  }

  private siftDown(id: number, score: number): void {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      let child = left;
      if (
        right < this.size &&
        this.worse(this.ids[right]!, this.scores[right]!, this.ids[left]!, this.scores[left]!)
      )
        child = right;
      if (!this.worse(this.ids[child]!, this.scores[child]!, id, score)) break;
      this.ids[i] = this.ids[child]!;
      this.scores[i] = this.scores[child]!;
      i = child;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }
}
