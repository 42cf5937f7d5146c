import * as tf from '@tensorflow/tfjs';
import {
  ARG_MAX_OVER_TIME,
  GATHER_ROWS,
  hasNetKernels,
  MAX_OVER_TIME,
  SCATTER_OVER_TIME,
  SPARSE_MATMUL,
  SPARSE_MATMUL_GRAD,
} from './kernels/index.js';

/**
 * Differentiable ops of the nets, written for the fast paths of the wasm backend. TF.js
 * differentiates `matMul` with `transposeA`/`transposeB`, ~10× slower on wasm than an explicit
 * transpose followed by a plain product, and `max` through a broadcast `equal`; these ops give
 * the same values with cheaper gradients.
 */

/** `x · w` whose gradient uses explicit transposes and plain products. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((a, b, save) => {
    (save as tf.GradSaveFunc)([a as tf.Tensor2D, b as tf.Tensor2D]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/**
 * Global max pooling over axis 1 of `[batch, steps, features]`. With `trainable`, the
 * gradient flows only to the maxima; without, no positions are kept (inference). `valid`
 * (inference only) limits row b to its first `valid[b]` positions, so a text padded to its
 * batchmates' length pools exactly what it pools alone.
 */
export function maxOverTime(x: tf.Tensor3D, trainable = true, valid?: readonly number[]): tf.Tensor2D {
  if (valid && trainable) throw new Error('maxOverTime: valid lengths are for inference only');
  if (!hasNetKernels()) return valid ? maskedMax(x, valid) : tf.max(x, 1);
  const max = (input: tf.Tensor) =>
    tf.engine().runKernel(MAX_OVER_TIME, { x: input }, valid ? { valid: [...valid] } : {}) as tf.Tensor2D;
  if (!trainable) return max(x);
  const steps = x.shape[1];
  const f = tf.customGrad((input, save) => {
    const at = tf.engine().runKernel(ARG_MAX_OVER_TIME, { x: input as tf.Tensor3D }) as tf.Tensor2D;
    (save as tf.GradSaveFunc)([at]);
    return {
      value: max(input as tf.Tensor),
      gradFunc: (dy, saved) =>
        tf
          .engine()
          .runKernel(
            SCATTER_OVER_TIME,
            { dy: dy as tf.Tensor2D, indices: saved[0]! },
            { steps },
          ) as tf.Tensor,
    };
  });
  return f(x) as tf.Tensor2D;
}

/** `maxOverTime` with valid lengths in plain TF.js ops (backends without our kernels). */
function maskedMax(x: tf.Tensor3D, valid: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, steps] = x.shape;
    const mask = new Float32Array(batch * steps);
    for (let b = 0; b < batch; b++) {
      const until = Math.max(1, Math.min(steps, valid[b]!));
      mask.fill(Number.NEGATIVE_INFINITY, b * steps + until, (b + 1) * steps);
    }
    return tf.max(tf.add(x, tf.tensor3d(mask, [batch, steps, 1])), 1) as tf.Tensor2D;
  });
}

/** A batch of sparse rows in coordinate form: `rows[i]`, `cols[i]`, `values[i]`. */
export interface SparseBatch {
  batch: number;
  rows: tf.Tensor1D;
  cols: tf.Tensor1D;
  values: tf.Tensor1D;
}

/** Sparse `[batch, vocab]` times dense `[vocab, width]`; the weight's gradient is a scatter-add. */
export function sparseMatMul(sp: SparseBatch, weight: tf.Tensor2D): tf.Tensor2D {
  const { rows, cols, values, batch } = sp;
  if (!hasNetKernels()) {
    const picked = tf.mul(tf.gather(weight, cols), tf.expandDims(values, 1));
    return tf.unsortedSegmentSum(picked, rows, batch) as tf.Tensor2D;
  }
  const vocab = weight.shape[0];
  const f = tf.customGrad((w) => ({
    value: tf
      .engine()
      .runKernel(SPARSE_MATMUL, { rows, cols, values, weight: w as tf.Tensor2D }, { batch }) as tf.Tensor,
    gradFunc: (dy) =>
      tf
        .engine()
        .runKernel(SPARSE_MATMUL_GRAD, { rows, cols, values, dy: dy as tf.Tensor2D }, { vocab }) as tf.Tensor,
  }));
  return f(weight) as tf.Tensor2D;
}

/** Rows of `table` at `ids` (an embedding lookup); the gradient is a scatter-add into the table. */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (!hasNetKernels()) return tf.gather(table, ids);
  const rows = table.shape[0];
  const f = tf.customGrad((tbl) => ({
    value: tf.engine().runKernel(GATHER_ROWS, { table: tbl as tf.Tensor2D, ids }) as tf.Tensor,
    gradFunc: (dy) => tf.unsortedSegmentSum(dy as tf.Tensor2D, ids, rows),
  }));
  return f(table) as tf.Tensor2D;
}

/**
 * Rows scaled to unit length: `x / max(|x|, eps)`. The gradient is written out,
 * `(dy - y · sum(dy ⊙ y)) / |x|`, instead of TF.js differentiating a broadcast division
 * through `sqrt` and `sum`: one pass over `[batch, dim]`. A row shorter than `eps` (an
 * all-zero row) has no direction to learn: its gradient is 0, not `dy / eps`.
 */
export function l2Normalise(x: tf.Tensor2D, eps = 1e-6): tf.Tensor2D {
  const f = tf.customGrad((input, save) => {
    const x2 = input as tf.Tensor2D;
    const raw = tf.sqrt(tf.sum(tf.square(x2), 1, true));
    const norm = tf.maximum(raw, eps);
    const y = tf.div(x2, norm) as tf.Tensor2D;
    const live = tf.cast(tf.greater(raw, eps), 'float32');
    (save as tf.GradSaveFunc)([y, norm, live]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sy, sn, sl] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return tf.mul(tf.div(tf.sub(g, tf.mul(sy, tf.sum(tf.mul(g, sy), 1, true))), sn), sl);
      },
    };
  });
  return f(x) as tf.Tensor2D;
}
