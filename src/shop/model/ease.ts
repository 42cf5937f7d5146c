import { type Csr, csrFromRows, transpose } from './csr.js';
import { type InverseEngine, invertSpd, tfReady } from './dense-inverse.js';
import type { ModelParams } from './params.js';
import { TopK } from './top-k.js';

/** Without a TF.js backend (plain JS multiplications) EASE is built only up to this many items. */
export const JS_DENSE_MAX_ITEMS = 400;

/** How the item-to-item lists of a build were made (shown by `GET /shop/models`). */
export interface SimilarityInfo {
  /** `imported`: lists computed elsewhere and loaded with `npm run shop -- import --neighbours`. */
  model: 'ease' | 'cooccurrence' | 'imported';
  /** Items in the dense EASE part (the most popular ones when the catalogue is past the bound). */
  denseItems: number;
  /** Items with history left to co-occurrence lists because of the bound. */
  tailItems: number;
  /** True when the bound cut the catalogue (popularity sampling). */
  bounded: boolean;
  lambda: number;
  engine: InverseEngine | 'none';
  /** True when co-occurrence stood in for want of a TF.js backend: a worker rebuild should follow. */
  provisional: boolean;
  gramMs: number;
  inverseMs: number;
}

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the item ×
 * item weights that best rebuild each user's row from their other items under an L2 penalty,
 * in closed form:
 *
 *   G = XᵀX + λI (+ ρ·diag(XᵀX)),  P = G⁻¹,  B = I − P·diag(1/diag P)  (zero diagonal), so B_ij = −P_ij / P_jj.
 *
 * A user's score for item j is Σ_i x_ui·B_ij, i.e. their history through row i of B, which
 * is exactly what the personal scorer adds up; each row keeps its `neighbours` largest
 * weights by magnitude, negative ones included (bounded serving work), best first: the
 * "similar" list is the row's positive part.
 *
 * The dense part holds at most `denseMaxItems` items: the most popular ones (by user count).
 * Past that bound (the tail of a long catalogue) items keep their co-occurrence lists
 * (`fallback`), scaled to the size of the EASE weights, so memory stays n²·4 bytes for n =
 * the bound and time (8/3)·n³ flops whatever the catalogue.
 */
export function buildEase(
  userItems: Csr,
  nItems: number,
  p: ModelParams['similarity'],
  fallback: () => Csr,
): { similar: Csr; info: SimilarityInfo } {
  const itemUsers = transpose(userItems, nItems);
  const withUsers: number[] = [];
  for (let i = 0; i < nItems; i++) if (itemUsers.offsets[i + 1]! > itemUsers.offsets[i]!) withUsers.push(i);
  const bound = p.denseMaxItems;
  if (!tfReady() && Math.min(withUsers.length, bound) > JS_DENSE_MAX_ITEMS) {
    // No TF.js backend on this thread (a first build at start) and too many items for plain
    // JS: co-occurrence lists for now; the build worker, which loads TF.js, replaces them.
    return {
      similar: fallback(),
      info: {
        model: 'cooccurrence',
        denseItems: 0,
        tailItems: withUsers.length,
        bounded: false,
        lambda: 0,
        engine: 'none',
        provisional: true,
        gramMs: 0,
        inverseMs: 0,
      },
    };
  }
  const userCount = (i: number) => itemUsers.offsets[i + 1]! - itemUsers.offsets[i]!;
  const head = withUsers
    .slice()
    .sort((a, b) => userCount(b) - userCount(a) || a - b)
    .slice(0, bound)
    .sort((a, b) => a - b);
  const n = head.length;
  const local = new Int32Array(nItems).fill(-1);
  head.forEach((item, k) => {
    local[item] = k;
  });

  // G = XᵀX over the head items, from each user's row (O(Σ_u n_u²)).
  const gramStarted = performance.now();
  let gram: Float32Array | undefined = new Float32Array(n * n);
  const ids: number[] = [];
  const vals: number[] = [];
  const nUsers = userItems.offsets.length - 1;
  for (let u = 0; u < nUsers; u++) {
    ids.length = 0;
    vals.length = 0;
    for (let k = userItems.offsets[u]!; k < userItems.offsets[u + 1]!; k++) {
      const l = local[userItems.index[k]!]!;
      if (l < 0) continue;
      ids.push(l);
      vals.push(userItems.values[k]!);
    }
    // A user with n items counts n^-gramUserDamping per pair: heavy users say less per pair.
    const damp = ids.length > 0 ? ids.length ** -p.gramUserDamping : 0;
    for (let a = 0; a < ids.length; a++) {
      const row = ids[a]! * n;
      const va = vals[a]! * damp;
      for (let b = 0; b < ids.length; b++) gram[row + ids[b]!]! += va * vals[b]!;
    }
  }
  // λ, plus a share of each item's own weight (Steck 2020's dropout emphasis: popular items
  // are pulled less towards predicting themselves from their neighbours).
  for (let k = 0; k < n; k++) gram[k * n + k]! += p.lambda + p.diagonalPenalty * gram[k * n + k]!;
  const gramMs = performance.now() - gramStarted;

  const inverseStarted = performance.now();
  // The Gram matrix is handed over: the inversion lets it go as soon as TF.js holds its blocks.
  const holder: { matrix?: Float32Array } = { matrix: gram };
  gram = undefined;
  const { inverse, engine } = invertSpd(holder, n);
  const inverseMs = performance.now() - inverseStarted;

  const rows: { index: Int32Array; values: Float32Array }[] = new Array(nItems);
  const empty = { index: new Int32Array(0), values: new Float32Array(0) };
  const top = new TopK(p.neighbours);
  // invDiag[j] folds in B's column scale: 1/P_jj, and the popularity de-bias users_j^-γ.
  const invDiag = new Float64Array(n);
  for (let j = 0; j < n; j++) invDiag[j] = userCount(head[j]!) ** -p.popularityDebias / inverse[j * n + j]!;
  let maxSum = 0;
  for (let i = 0; i < nItems; i++) rows[i] = empty;
  for (let k = 0; k < n; k++) {
    // The largest weights by magnitude: the negative ones (items this one argues against)
    // matter to the ranking as much as the positive ones.
    top.reset();
    const off = k * n;
    for (let j = 0; j < n; j++) {
      if (j === k) continue;
      const b = -inverse[off + j]! * invDiag[j]!;
      if (b !== 0) top.push(j, Math.abs(b));
    }
    const kept = top.sorted().ids;
    const byValue = Array.from(kept, (j) => [head[j]!, -inverse[off + j]! * invDiag[j]!] as const).sort(
      (x, y) => y[1] - x[1] || x[0] - y[0],
    );
    const row = {
      index: Int32Array.from(byValue, (e) => e[0]),
      values: Float32Array.from(byValue, (e) => e[1]),
    };
    rows[head[k]!] = row;
    if (row.values.length > 0 && row.values[0]! > 0) maxSum += row.values[0]!;
  }

  let knn: Csr | undefined;
  const cooccurrence = () => {
    knn ??= fallback();
    return knn;
  };
  if (p.cooccurrenceBlend > 0 && n > 0) blendRows(rows, head, cooccurrence(), p.cooccurrenceBlend);

  // The tail (past the bound): co-occurrence lists, scaled so that their best neighbour
  // weighs what an average EASE row's best one does.
  const tail = withUsers.filter((i) => local[i]! < 0);
  if (tail.length > 0) {
    const knn = cooccurrence();
    let knnSum = 0;
    let knnRows = 0;
    for (let i = 0; i < nItems; i++) {
      const start = knn.offsets[i]!;
      if (knn.offsets[i + 1]! > start) {
        knnSum += knn.values[start]!;
        knnRows++;
      }
    }
    const scale = n > 0 && knnSum > 0 ? maxSum / n / (knnSum / knnRows) : 1;
    for (const i of tail) {
      const start = knn.offsets[i]!;
      const end = knn.offsets[i + 1]!;
      rows[i] = {
        index: knn.index.slice(start, end),
        values: Float32Array.from(knn.values.subarray(start, end), (v) => v * scale),
      };
    }
  }
  return {
    similar: csrFromRows(rows),
    info: {
      model: 'ease',
      denseItems: n,
      tailItems: tail.length,
      bounded: tail.length > 0,
      lambda: p.lambda,
      engine,
      provisional: false,
      gramMs: Math.round(gramMs),
      inverseMs: Math.round(inverseMs),
    },
  };
}

/**
 * Adds each head item's co-occurrence row (scaled to sum 1, times `blend` × the mean positive
 * mass of an EASE row) to its EASE row: the sum of two linear scorers, which measured better
 * on MovieLens validation than either alone.
 */
function blendRows(
  rows: { index: Int32Array; values: Float32Array }[],
  head: readonly number[],
  knn: Csr,
  blend: number,
): void {
  let mass = 0;
  for (const i of head) for (const v of rows[i]!.values) if (v > 0) mass += v;
  const unit = (blend * mass) / head.length;
  const acc = new Map<number, number>();
  for (const i of head) {
    const start = knn.offsets[i]!;
    const end = knn.offsets[i + 1]!;
    let sum = 0;
    for (let m = start; m < end; m++) sum += knn.values[m]!;
    if (sum <= 0) continue;
    acc.clear();
    const row = rows[i]!;
    for (let m = 0; m < row.index.length; m++) acc.set(row.index[m]!, row.values[m]!);
    for (let m = start; m < end; m++) {
      const j = knn.index[m]!;
      acc.set(j, (acc.get(j) ?? 0) + (knn.values[m]! / sum) * unit);
    }
    const sorted = [...acc].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    rows[i] = { index: Int32Array.from(sorted, (e) => e[0]), values: Float32Array.from(sorted, (e) => e[1]) };
  }
}
