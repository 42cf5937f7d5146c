import { type Csr, csrFromRows, transpose } from './csr.js';
import type { ModelParams } from './params.js';
import { TopK } from './top-k.js';

/**
 * Item-to-item neighbour lists from co-occurrence in users' histories.
 *
 * co(i,j) = Σ_u x_ui·x_uj / n_u^userDamping, over the user × item weights of
 * `userItems` (purchases weigh more than views, older events less). The similarity is an
 * asymmetric cosine with shrinkage, co / (‖i‖^2α·‖j‖^2(1−α) + shrink), divided by the
 * neighbour's user count^beta so that bestsellers do not top every list. Rows are
 * computed one at a time over a dense scratch row, so memory stays O(items + output)
 * and time O(Σ_u n_u²).
 */
export function buildItemSimilarity(userItems: Csr, nItems: number, p: ModelParams['similarity']): Csr {
  const itemUsers = transpose(userItems, nItems);
  const nUsers = userItems.offsets.length - 1;
  const userWeight = new Float64Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const n = userItems.offsets[u + 1]! - userItems.offsets[u]!;
    userWeight[u] = n > 0 ? n ** -p.userDamping : 0;
  }
  const sourceNorm = new Float64Array(nItems);
  const targetNorm = new Float64Array(nItems);
  const damping = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    let sq = 0;
    for (let k = itemUsers.offsets[i]!; k < itemUsers.offsets[i + 1]!; k++) sq += itemUsers.values[k]! ** 2;
    sourceNorm[i] = sq ** p.alpha;
    targetNorm[i] = sq ** (1 - p.alpha);
    const users = itemUsers.offsets[i + 1]! - itemUsers.offsets[i]!;
    damping[i] = users > 0 ? users ** -p.beta : 0;
  }

  const acc = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const mark = new Uint8Array(nItems);
  const top = new TopK(p.neighbours);
  const rows: { index: Int32Array; values: Float32Array }[] = [];
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let k = itemUsers.offsets[i]!; k < itemUsers.offsets[i + 1]!; k++) {
      const u = itemUsers.index[k]!;
      const wi = itemUsers.values[k]! * userWeight[u]!;
      for (let m = userItems.offsets[u]!; m < userItems.offsets[u + 1]!; m++) {
        const j = userItems.index[m]!;
        if (!mark[j]) {
          mark[j] = 1;
          touched[nTouched++] = j;
          acc[j] = 0;
        }
        acc[j]! += wi * userItems.values[m]!;
      }
    }
    top.reset();
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      mark[j] = 0;
      if (j === i) continue;
      const sim = (acc[j]! / (sourceNorm[i]! * targetNorm[j]! + p.shrink)) * damping[j]!;
      if (sim > 0) top.push(j, sim);
    }
    const best = top.sorted();
    rows.push({ index: best.ids, values: best.scores });
  }
  return csrFromRows(rows);
}
