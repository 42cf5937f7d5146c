import { type Csr, csrFromRows, transpose } from './csr.js';
import type { InteractionLog } from './interaction-log.js';
import type { ModelParams } from './params.js';
import { TopK } from './top-k.js';

/** Bought-together lists with the counts needed for support, confidence and lift. */
export interface BoughtTogetherModel {
  /** Row i: items bought with i, best first; values are ranking scores. */
  lists: Csr;
  /** Parallel to `lists.values`: baskets holding both items. */
  pairCounts: Float32Array;
  /** Baskets holding each item. */
  itemBaskets: Int32Array;
  /** Baskets in all. */
  baskets: number;
}

/** The basket × item matrix (distinct items per basket), from purchase events. */
export function basketItems(log: InteractionLog): Csr {
  const rows: Set<number>[] = Array.from({ length: log.basketCount }, () => new Set());
  for (let e = 0; e < log.length; e++) {
    const b = log.basket[e]!;
    if (b >= 0) rows[b]!.add(log.item[e]!);
  }
  return csrFromRows(
    rows.map((s) => {
      const index = Int32Array.from(s).sort();
      return { index, values: new Float32Array(index.length).fill(1) };
    }),
  );
}

/**
 * Association rules i → j from baskets. support = n_ij / N, confidence = n_ij / n_i,
 * lift = confidence / (n_j / N); pairs in fewer than `minSupport` baskets are dropped.
 * Lists are ranked by confidence / (n_j / N)^popularityDamping: 0 ranks by confidence
 * (which favours bestsellers), 1 by lift (which favours rarities).
 */
export function buildBoughtTogether(
  log: InteractionLog,
  p: ModelParams['boughtTogether'],
): BoughtTogetherModel {
  const nItems = log.items.length;
  const all = basketItems(log);
  const baskets = all.offsets.length - 1;
  const itemBaskets = new Int32Array(nItems);
  for (let k = 0; k < all.index.length; k++) itemBaskets[all.index[k]!]!++;
  // Huge (wholesale) baskets still count towards n_i and N, but not towards pairs.
  const pairRows = csrFromRows(
    Array.from({ length: baskets }, (_, b) => {
      const size = all.offsets[b + 1]! - all.offsets[b]!;
      const ok = size >= 2 && size <= p.maxBasketItems;
      const index = ok ? all.index.subarray(all.offsets[b]!, all.offsets[b + 1]!) : new Int32Array(0);
      return { index, values: new Float32Array(index.length) };
    }),
  );
  const itemToBaskets = transpose(pairRows, nItems);

  const acc = new Int32Array(nItems);
  const touched = new Int32Array(nItems);
  const top = new TopK(p.neighbours);
  const rows: { index: Int32Array; values: Float32Array }[] = [];
  const counts: Float32Array[] = [];
  for (let i = 0; i < nItems; i++) {
    let n = 0;
    for (let k = itemToBaskets.offsets[i]!; k < itemToBaskets.offsets[i + 1]!; k++) {
      const b = itemToBaskets.index[k]!;
      for (let m = pairRows.offsets[b]!; m < pairRows.offsets[b + 1]!; m++) {
        const j = pairRows.index[m]!;
        if (acc[j] === 0) touched[n++] = j;
        acc[j]!++;
      }
    }
    top.reset();
    for (let t = 0; t < n; t++) {
      const j = touched[t]!;
      const both = acc[j]!;
      acc[j] = 0;
      if (j === i || both < p.minSupport) continue;
      const confidence = both / itemBaskets[i]!;
      top.push(j, confidence / (itemBaskets[j]! / baskets) ** p.popularityDamping);
    }
    const best = top.sorted();
    rows.push({ index: best.ids, values: best.scores });
    // The score is a monotone function of the pair count, so the count is recovered exactly.
    counts.push(
      Float32Array.from(best.ids, (j, r) =>
        Math.round(best.scores[r]! * itemBaskets[i]! * (itemBaskets[j]! / baskets) ** p.popularityDamping),
      ),
    );
  }
  const lists = csrFromRows(rows);
  const pairCounts = new Float32Array(lists.index.length);
  counts.forEach((c, i) => {
    pairCounts.set(c, lists.offsets[i]!);
  });
  return { lists, pairCounts, itemBaskets, baskets };
}
