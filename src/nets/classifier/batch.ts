import * as tf from '@tensorflow/tfjs';
import type { SparseBatch } from '../ops.js';
import type { Features } from '../vectoriser.js';
import type { Topology } from './topology.js';

/** The inputs of one forward pass, as tensors; dispose with {@link disposeBatch}. */
export interface BatchTensors {
  size: number;
  /** Trigram positions per text (padded with id 0 up to the longest, at least the widest kernel). */
  steps: number;
  /**
   * Per kernel width w, the ids each convolution window sees, flattened from
   * `[batch, steps - w + 1, w]`: gathering them from the embedding gives the im2col matrix
   * directly, so the embedding's gradient is one scatter-add (no slices or concats).
   */
  windows?: Map<number, tf.Tensor1D>;
  /**
   * Per text, the positions it would have alone (its own length, at least the widest kernel):
   * inference pools only over those, so a text's outputs do not depend on its batchmates.
   */
  ownSteps?: number[];
  /** TF-IDF weighted, L2-normalised bag. */
  bag?: SparseBatch;
}

/**
 * Builds a batch from featurised texts. Sequences are padded to the longest in the batch
 * (callers group texts of similar length), so padding costs little.
 */
export function makeBatch(
  t: Pick<Topology, 'conv' | 'wide'>,
  feats: readonly Features[],
  idf?: Float32Array,
): BatchTensors {
  const out: BatchTensors = { size: feats.length, steps: 0 };
  if (t.conv) {
    const minSteps = Math.max(...t.conv.widths);
    let steps = minSteps;
    for (const f of feats) steps = Math.max(steps, Math.min(f.sequence.length, t.conv.maxLength));
    out.steps = steps;
    out.ownSteps = feats.map((f) => Math.max(minSteps, Math.min(f.sequence.length, t.conv!.maxLength)));
    out.windows = new Map();
    for (const width of t.conv.widths) {
      const positions = steps - width + 1;
      const ids = new Int32Array(feats.length * positions * width);
      feats.forEach((f, b) => {
        const seq = f.sequence;
        const n = Math.min(seq.length, steps);
        let k = b * positions * width;
        for (let p = 0; p < positions; p++) {
          for (let j = 0; j < width; j++, k++) if (p + j < n) ids[k] = seq[p + j]!;
        }
      });
      out.windows.set(width, tf.tensor1d(ids, 'int32'));
    }
  }
  if (t.wide) {
    if (!idf) throw new Error('the wide path needs its IDF weights');
    let nnz = 0;
    for (const f of feats) nnz += f.bagIds.length;
    const rows = new Int32Array(nnz);
    const cols = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let k = 0;
    feats.forEach((f, b) => {
      const start = k;
      let norm = 0;
      for (let i = 0; i < f.bagIds.length; i++) {
        const id = f.bagIds[i]! % t.wide!.vocab;
        const v = (1 + Math.log(f.bagCounts[i]!)) * idf[id]!;
        rows[k] = b;
        cols[k] = id;
        values[k] = v;
        norm += v * v;
        k++;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let i = start; i < k; i++) values[i]! *= inv;
    });
    out.bag = {
      batch: feats.length,
      rows: tf.tensor1d(rows, 'int32'),
      cols: tf.tensor1d(cols, 'int32'),
      values: tf.tensor1d(values, 'float32'),
    };
  }
  return out;
}

/** Frees a batch's tensors. */
export function disposeBatch(b: BatchTensors): void {
  if (b.windows) tf.dispose([...b.windows.values()]);
  if (b.bag) tf.dispose([b.bag.rows, b.bag.cols, b.bag.values]);
}

/** Smoothed inverse document frequency per bucket, as in scikit-learn: ln((1+n)/(1+df)) + 1. */
export function computeIdf(feats: readonly Features[], vocab: number): Float32Array {
  const df = new Float64Array(vocab);
  for (const f of feats) for (const id of f.bagIds) df[id % vocab]! += 1;
  const idf = new Float32Array(vocab);
  const n = feats.length;
  for (let i = 0; i < vocab; i++) idf[i] = Math.log((1 + n) / (1 + df[i]!)) + 1;
  return idf;
}
