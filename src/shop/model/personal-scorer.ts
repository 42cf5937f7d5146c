import type { Csr } from './csr.js';
import type { RowNormalisation } from './params.js';
import { TopK } from './top-k.js';

/** A user's history as parallel arrays of item numbers and weights. */
export interface History {
  items: ArrayLike<number>;
  weights: ArrayLike<number>;
}

/** What {@link PersonalScorer.score} may exclude or add. */
export interface ScoreOptions {
  /** True for items that must not be suggested (already owned once-only goods, the anchor, ...). */
  exclude?: (item: number) => boolean;
  /** Items the user may buy again, with their own weight; added at `repeatWeight` of the best score. */
  buyAgain?: History;
  repeatWeight?: number;
}

/**
 * Scores candidates for one user: Σ over history items i of h_i · sim(i, j) / norm(i), read
 * from precomputed neighbour lists, so a request touches history × neighbours entries.
 * With `sum` rows each history item hands out one vote across its neighbours, so items
 * with naturally larger similarities do not drown the rest of the history. One scorer per model snapshot;
 * its scratch arrays are reused (requests run one at a time on the event loop).
 */
export class PersonalScorer {
  private readonly acc: Float64Array;
  private readonly mark: Uint8Array;
  private readonly touched: Int32Array;

  /**
   * For EASE rows (`regression`), rows are regression weights and are used as they are, and a
   * history weight w enters as log(1 + w), the scale the model was fitted on.
   */
  constructor(
    private readonly similar: Csr,
    nItems: number,
    private readonly rows: RowNormalisation = 'sum',
    private readonly regression = false,
  ) {
    this.acc = new Float64Array(nItems);
    this.mark = new Uint8Array(nItems);
    this.touched = new Int32Array(nItems);
  }

  /** The best `k` items for `history`, best first. */
  score(history: History, k: number, options: ScoreOptions = {}): { ids: Int32Array; scores: Float32Array } {
    const { offsets, index, values } = this.similar;
    let n = 0;
    const add = (j: number, s: number) => {
      if (!this.mark[j]) {
        this.mark[j] = 1;
        this.touched[n++] = j;
        this.acc[j] = 0;
      }
      this.acc[j]! += s;
    };
    for (let h = 0; h < history.items.length; h++) {
      const i = history.items[h]!;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      if (end === start) continue;
      let norm = 1;
      if (this.regression)
        norm = history.weights[h]! > 0 ? history.weights[h]! / Math.log1p(history.weights[h]!) : 1;
      else if (this.rows === 'max') norm = values[start]!;
      else if (this.rows === 'sum') {
        norm = 0;
        for (let m = start; m < end; m++) norm += values[m]!;
      }
      const scale = history.weights[h]! / norm;
      for (let m = start; m < end; m++) add(index[m]!, values[m]! * scale);
    }
    if (options.buyAgain && options.buyAgain.items.length > 0) {
      let best = 0;
      for (let t = 0; t < n; t++) best = Math.max(best, this.acc[this.touched[t]!]!);
      let own = 0;
      for (let h = 0; h < options.buyAgain.weights.length; h++)
        own = Math.max(own, options.buyAgain.weights[h]!);
      // With no item-to-item evidence at all, buying again is the whole story.
      const scale = ((best > 0 ? best : 1) * (options.repeatWeight ?? 1)) / (own || 1);
      for (let h = 0; h < options.buyAgain.items.length; h++) {
        add(options.buyAgain.items[h]!, options.buyAgain.weights[h]! * scale);
      }
    }
    const top = new TopK(k);
    for (let t = 0; t < n; t++) {
      const j = this.touched[t]!;
      this.mark[j] = 0;
      if (options.exclude?.(j)) continue;
      top.push(j, this.acc[j]!);
    }
    return top.sorted();
  }
}
