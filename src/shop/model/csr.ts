/**
 * Compressed sparse rows: row `r` is `index[offsets[r] .. offsets[r+1])` with the
 * matching `values`. Typed arrays only, so a model built in a worker moves to the main
 * thread without copying.
 */
export interface Csr {
  offsets: Int32Array;
  index: Int32Array;
  values: Float32Array;
}

/** An empty matrix with `rows` rows. */
export function emptyCsr(rows: number): Csr {
  return { offsets: new Int32Array(rows + 1), index: new Int32Array(0), values: new Float32Array(0) };
}

/** Number of rows of a {@link Csr}. */
export function csrRows(m: Csr): number {
  return m.offsets.length - 1;
}

/** Builds a CSR from per-row lists, in row order. */
export function csrFromRows(rows: readonly { index: ArrayLike<number>; values: ArrayLike<number> }[]): Csr {
  const offsets = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) offsets[r + 1] = offsets[r]! + rows[r]!.index.length;
  const index = new Int32Array(offsets[rows.length]!);
  const values = new Float32Array(offsets[rows.length]!);
  for (let r = 0; r < rows.length; r++) {
    index.set(rows[r]!.index, offsets[r]!);
    values.set(rows[r]!.values, offsets[r]!);
  }
  return { offsets, index, values };
}

/** The transpose of `m`, which has `columns` columns; rows of the result keep ascending order. */
export function transpose(m: Csr, columns: number): Csr {
  const counts = new Int32Array(columns + 1);
  for (let k = 0; k < m.index.length; k++) counts[m.index[k]! + 1]!++;
  for (let c = 0; c < columns; c++) counts[c + 1]! += counts[c]!;
  const offsets = counts.slice();
  const cursor = counts.slice(0, columns);
  const index = new Int32Array(m.index.length);
  const values = new Float32Array(m.index.length);
  const rows = csrRows(m);
  for (let r = 0; r < rows; r++) {
    for (let k = m.offsets[r]!; k < m.offsets[r + 1]!; k++) {
      const at = cursor[m.index[k]!]!++;
      index[at] = r;
      values[at] = m.values[k]!;
    }
  }
  return { offsets, index, values };
}
