/**
 * Exact top-k selection and the dense scan of the answer index, in plain typed-array code.
 * The scan is bound by memory bandwidth (a 100,000 × 256 float32 matrix is 102 MB), so it
 * reads each row once for every question of a batch, with four accumulators per dot product
 * so the additions do not wait on each other.
 */

/** Dot products of `queries` (`[q × dim]`) with rows `[from, to)` of `matrix`, into `out[q × n]` at column `row`. */
export function scanDots(
  matrix: Float32Array,
  dim: number,
  from: number,
  to: number,
  queries: Float32Array,
  out: Float32Array,
  n: number,
): void {
  const q = queries.length / dim;
  const tail = dim & 3;
  for (let r = from; r < to; r++) {
    const base = r * dim;
    for (let k = 0; k < q; k++) {
      const qb = k * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j < dim - tail; j += 4) {
        s0 += matrix[base + j]! * queries[qb + j]!;
        s1 += matrix[base + j + 1]! * queries[qb + j + 1]!;
        s2 += matrix[base + j + 2]! * queries[qb + j + 2]!;
        s3 += matrix[base + j + 3]! * queries[qb + j + 3]!;
      }
      for (; j < dim; j++) s0 += matrix[base + j]! * queries[qb + j]!;
      out[k * n + r] = s0 + s1 + s2 + s3;
    }
  }
}

/** The plain pass the scan is compared with: one read of every value (the memory floor). */
export function sumAll(matrix: Float32Array, length = matrix.length): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    s0 += matrix[i]!;
    s1 += matrix[i + 1]!;
    s2 += matrix[i + 2]!;
    s3 += matrix[i + 3]!;
  }
  for (; i < length; i++) s0 += matrix[i]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Indices of the `k` largest of `scores[offset, offset + n)` for which `keep(i)` holds (all
 * when absent), best first; ties go to the lower index. One pass with a sorted buffer of k:
 * most values fall below the current k-th and cost one comparison.
 */
export function topK(
  scores: Float32Array,
  offset: number,
  n: number,
  k: number,
  keep?: (i: number) => boolean,
): number[] {
  const best: number[] = [];
  const vals: number[] = [];
  if (k <= 0) return best;
  let floor = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = scores[offset + i]!;
    if (!(v > floor) && best.length >= k) continue;
    if (Number.isNaN(v) || (keep && !keep(i))) continue;
    let at = vals.length;
    while (at > 0 && vals[at - 1]! < v) at--;
    if (at >= k) continue;
    vals.splice(at, 0, v);
    best.splice(at, 0, i);
    if (vals.length > k) {
      vals.pop();
      best.pop();
    }
    if (vals.length >= k) floor = vals[k - 1]!;
  }
  return best;
}
