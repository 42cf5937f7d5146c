import { type Csr, csrFromRows, transpose } from './csr.js';
import type { InteractionLog } from './interaction-log.js';
import { decay, type ModelParams } from './params.js';
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

/** The basket × item matrix (distinct items per basket) and each basket's time, from purchase events. */
export function basketItems(log: InteractionLog): { matrix: Csr; time: Float64Array } {
  const rows: Set<number>[] = Array.from({ length: log.basketCount }, () => new Set());
  const time = new Float64Array(log.basketCount).fill(-Infinity);
  for (let e = 0; e < log.length; e++) {
    const b = log.basket[e]!;
    if (b < 0) continue;
    rows[b]!.add(log.item[e]!);
    time[b] = Math.max(time[b]!, log.time[e]!);
  }
  const matrix = csrFromRows(
    rows.map((s) => {
      const index = Int32Array.from(s).sort();
      return { index, values: new Float32Array(index.length).fill(1) };
    }),
  );
  return { matrix, time };
}

/**
 * Association rules i → j from baskets: support n_ij (baskets holding both), confidence
 * n_ij / n_i, lift = confidence / (n_j / N); pairs in fewer than `minSupport` baskets are
 * dropped. Lists are ranked by confidence / (n_j / N)^popularityDamping (0 ranks by
 * confidence, which favours bestsellers; 1 by lift, which favours rarities), with every
 * count in the ranking weighted by the basket's age (`halfLifeDays`), so this season's
 * pairs lead. The support, confidence and lift reported stay plain counts.
 */
export function buildBoughtTogether(
  log: InteractionLog,
  p: ModelParams['boughtTogether'],
  refTime: number,
): BoughtTogetherModel {
  const nItems = log.items.length;
  const { matrix: all, time } = basketItems(log);
  const baskets = all.offsets.length - 1;
  const weight = Float64Array.from(time, (t) => decay(refTime - t, p.halfLifeDays));
  const itemBaskets = new Int32Array(nItems);
  const itemWeight = new Float64Array(nItems);
  let totalWeight = 0;
  for (let b = 0; b < baskets; b++) {
    totalWeight += weight[b]!;
    for (let k = all.offsets[b]!; k < all.offsets[b + 1]!; k++) {
      itemBaskets[all.index[k]!]!++;
      itemWeight[all.index[k]!]! += weight[b]!;
    }
  }
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

  const count = new Int32Array(nItems);
  const acc = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const top = new TopK(p.neighbours);
  const rows: { index: Int32Array; values: Float32Array }[] = [];
  const counts: Float32Array[] = [];
  for (let i = 0; i < nItems; i++) {
    let n = 0;
    for (let k = itemToBaskets.offsets[i]!; k < itemToBaskets.offsets[i + 1]!; k++) {
      const b = itemToBaskets.index[k]!;
      const w = weight[b]!;
      for (let m = pairRows.offsets[b]!; m < pairRows.offsets[b + 1]!; m++) {
        const j = pairRows.index[m]!;
        if (count[j] === 0) {
          touched[n++] = j;
          acc[j] = 0;
        }
        count[j]!++;
        acc[j]! += w;
      }
    }
    top.reset();
    for (let t = 0; t < n; t++) {
      const j = touched[t]!;
      if (j === i || count[j]! < p.minSupport || acc[j]! <= 0) continue;
      const confidence = acc[j]! / itemWeight[i]!;
      top.push(j, confidence / (itemWeight[j]! / totalWeight) ** p.popularityDamping);
    }
    const best = top.sorted();
    rows.push({ index: best.ids, values: best.scores });
    counts.push(Float32Array.from(best.ids, (j) => count[j]!));
    for (let t = 0; t < n; t++) count[touched[t]!] = 0;
  }
  const lists = csrFromRows(rows);
  const pairCounts = new Float32Array(lists.index.length);
  counts.forEach((c, i) => {
    pairCounts.set(c, lists.offsets[i]!);
  });
  return { lists, pairCounts, itemBaskets, baskets };
}
