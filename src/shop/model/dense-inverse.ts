import type * as Tf from '@tensorflow/tfjs';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * Blocks at most this big are inverted in float64 by ml-matrix's Cholesky decomposition;
 * bigger ones are split in two and joined through their Schur complement, whose products
 * are TF.js matrix multiplications (the O(n³) part of the work).
 */
export const BASE_BLOCK = 192;

/** Which engine did the multiplications of an inversion. */
export type InverseEngine = 'tfjs' | 'js';

// TF.js is loaded on demand (`loadTfjs`): a small shop's build thread never pays for it.
let tf: typeof Tf | undefined;

/**
 * Loads TF.js and sets up its best backend (wasm here), for the inversions of this thread;
 * resolves with the backend's name.
 */
export async function loadTfjs(): Promise<string> {
  const { initBackend } = await import('../../nets/backend.js');
  const info = await initBackend('auto');
  tf = await import('@tensorflow/tfjs');
  return info.name;
}

/** True when {@link loadTfjs} has run in this thread: TF.js matMul can then run synchronously. */
export function tfReady(): boolean {
  return tf !== undefined && Boolean(tf.engine().backendName);
}

/** Inverse of a small symmetric positive-definite block, in float64 (ml-matrix Cholesky). */
function invertBase(a: Float32Array, n: number): Float32Array {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    // Symmetrised: float32 round-off in the Schur complements leaves it a hair off symmetric.
    for (let j = 0; j < n; j++) row[j] = (a[i * n + j]! + a[j * n + i]!) / 2;
    rows.push(row);
  }
  const chol = new CholeskyDecomposition(new Matrix(rows));
  if (!chol.isPositiveDefinite()) throw new Error('the regularised Gram matrix is not positive definite');
  const inv = chol.solve(Matrix.eye(n));
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = inv.get(i, j);
  return out;
}

/**
 * Inverse of a symmetric positive-definite n×n matrix (row-major float32), by recursive
 * block inversion:
 *
 *   A = [A11 A12; A12ᵀ A22],  X = A11⁻¹,  S = A22 − A12ᵀ·X·A12,  T = X·A12
 *   A⁻¹ = [X + T·S⁻¹·Tᵀ, −T·S⁻¹; (−T·S⁻¹)ᵀ, S⁻¹]
 *
 * Every block of an SPD matrix and every Schur complement is SPD again, so no pivoting is
 * needed. About (8/3)·n³ flops. The products run on the active TF.js backend (wasm: float32,
 * SIMD) when one is set up, else on plain JS loops — fine for a few hundred items, slow past that.
 * Transposes are explicit: the wasm backend's matMul with a transposed operand measured ten
 * times slower than a transpose followed by a plain matMul.
 */
export function invertSpd(
  gram: { matrix?: Float32Array },
  n: number,
): { inverse: Float32Array; engine: InverseEngine } {
  const a = gram.matrix!;
  if (n === 0) return { inverse: new Float32Array(0), engine: 'js' };
  if (!tf || !tfReady() || n <= BASE_BLOCK) return { inverse: invertJs(a, n), engine: 'js' };
  // Memory: the three blocks go to TF.js straight from the Gram matrix, which the caller
  // hands over (`gram.matrix` is cleared) so it can be collected; every intermediate is
  // disposed as soon as it is used; the result is copied out block by block. At n items
  // this peaks near 2·n²·4 bytes (the measured figures are in docs/shop-recommendations.md).
  const h = n >> 1;
  const m = n - h;
  const a11 = tf.tensor2d(block(a, n, 0, 0, h, h), [h, h]);
  const a12 = tf.tensor2d(block(a, n, 0, h, h, m), [h, m]);
  const a22 = tf.tensor2d(block(a, n, h, h, m, m), [m, m]);
  gram.matrix = undefined;
  const { p11, p12, sInv } = invertBlocks(tf, a11, a12, a22);
  const inverse = new Float32Array(n * n);
  const d11 = p11.dataSync();
  p11.dispose();
  for (let i = 0; i < h; i++) inverse.set(d11.subarray(i * h, (i + 1) * h), i * n);
  const d12 = p12.dataSync();
  p12.dispose();
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < m; j++) {
      const v = d12[i * m + j]!;
      inverse[i * n + h + j] = v;
      inverse[(h + j) * n + i] = v;
    }
  }
  const d22 = sInv.dataSync();
  sInv.dispose();
  for (let i = 0; i < m; i++) inverse.set(d22.subarray(i * m, (i + 1) * m), (h + i) * n + h);
  return { inverse, engine: 'tfjs' };
}

/** The blocks of the inverse from the blocks of A; disposes its inputs and every intermediate. */
function invertBlocks(
  tf: typeof Tf,
  a11: Tf.Tensor2D,
  a12: Tf.Tensor2D,
  a22: Tf.Tensor2D,
): { p11: Tf.Tensor2D; p12: Tf.Tensor2D; sInv: Tf.Tensor2D } {
  const x = invertTensor(tf, a11);
  const t = tf.matMul(x, a12);
  const a12t = a12.transpose();
  a12.dispose();
  const st = tf.matMul(a12t, t);
  a12t.dispose();
  const s = tf.sub(a22, st) as Tf.Tensor2D;
  a22.dispose();
  st.dispose();
  const sInv = invertTensor(tf, s);
  const q = tf.matMul(t, sInv);
  const p12 = tf.neg(q) as Tf.Tensor2D;
  q.dispose();
  const tt = t.transpose();
  t.dispose();
  const corr = tf.matMul(p12, tt);
  tt.dispose();
  const p11 = tf.sub(x, corr) as Tf.Tensor2D;
  x.dispose();
  corr.dispose();
  return { p11, p12, sInv };
}

/** The inverse of `a` as a tensor; disposes `a`. */
function invertTensor(tf: typeof Tf, a: Tf.Tensor2D): Tf.Tensor2D {
  const n = a.shape[0];
  if (n <= BASE_BLOCK) {
    const out = tf.tensor2d(invertBase(a.dataSync() as Float32Array, n), [n, n]);
    a.dispose();
    return out;
  }
  const h = n >> 1;
  const m = n - h;
  const a11 = a.slice([0, 0], [h, h]);
  const a12 = a.slice([0, h], [h, m]);
  const a22 = a.slice([h, h], [m, m]);
  a.dispose();
  const { p11, p12, sInv } = invertBlocks(tf, a11, a12, a22);
  const top = tf.concat([p11, p12], 1);
  p11.dispose();
  const p21 = p12.transpose();
  p12.dispose();
  const bottom = tf.concat([p21, sInv], 1);
  p21.dispose();
  sInv.dispose();
  const out = tf.concat([top, bottom], 0) as Tf.Tensor2D;
  top.dispose();
  bottom.dispose();
  return out;
}

// The same recursion on Float32Arrays, for a process with no TF.js backend set up.
function block(a: Float32Array, n: number, r0: number, c0: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(a.subarray((r0 + r) * n + c0, (r0 + r) * n + c0 + cols), r * cols);
  return out;
}

/** C = op(A)·op(B) with A p×q (or q×p when transposed) — plain loops, i-k-j order. */
function mul(
  a: Float32Array,
  b: Float32Array,
  p: number,
  q: number,
  r: number,
  transA = false,
  transB = false,
): Float32Array {
  const c = new Float32Array(p * r);
  const bt = transB ? transposeOf(b, r, q) : b;
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < q; k++) {
      const aik = transA ? a[k * p + i]! : a[i * q + k]!;
      if (aik === 0) continue;
      const off = k * r;
      for (let j = 0; j < r; j++) c[i * r + j]! += aik * bt[off + j]!;
    }
  }
  return c;
}

function transposeOf(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

function invertJs(a: Float32Array, n: number): Float32Array {
  if (n <= BASE_BLOCK) return invertBase(a, n);
  const h = n >> 1;
  const m = n - h;
  const a12 = block(a, n, 0, h, h, m);
  const x = invertJs(block(a, n, 0, 0, h, h), h);
  const t = mul(x, a12, h, h, m);
  const s = block(a, n, h, h, m, m);
  const st = mul(a12, t, m, h, m, true);
  for (let k = 0; k < s.length; k++) s[k]! -= st[k]!;
  const sInv = invertJs(s, m);
  const p12 = mul(t, sInv, h, m, m);
  for (let k = 0; k < p12.length; k++) p12[k] = -p12[k]!;
  const corr = mul(p12, t, h, m, h, false, true);
  const out = new Float32Array(n * n);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < h; j++) out[i * n + j] = x[i * h + j]! - corr[i * h + j]!;
    for (let j = 0; j < m; j++) {
      out[i * n + h + j] = p12[i * m + j]!;
      out[(h + j) * n + i] = p12[i * m + j]!;
    }
  }
  for (let i = 0; i < m; i++) out.set(sInv.subarray(i * m, (i + 1) * m), (h + i) * n + h);
  return out;
}
