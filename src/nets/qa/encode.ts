import * as tf from '@tensorflow/tfjs';
import { type BatchTensors, disposeBatch, makeBatch } from '../classifier/batch.js';
import { convFeatures, type Weights } from '../classifier/forward.js';
import { l2Normalise, linear, sparseMatMul } from '../ops.js';
import type { Features } from '../vectoriser.js';
import { type QaTopology, type Tower, towerWeightName } from './topology.js';

/** Options of a tower's forward pass: set when training. */
export interface TowerOptions {
  training?: boolean;
  /** Returns a `[batch, features]` keep-mask already scaled by 1/(1-rate), or null. */
  dropoutMask?: (shape: [number, number]) => tf.Tensor2D | null;
}

/** The encoder settings a tower's batches are built with (answers keep more trigrams). */
export function towerShape(t: QaTopology, tower: Tower): Parameters<typeof makeBatch>[0] {
  const conv = t.conv
    ? { ...t.conv, maxLength: tower === 'answer' ? t.conv.answerMaxLength : t.conv.maxLength }
    : null;
  return { conv, wide: t.wide };
}

/** One tower's unit vectors `[batch, dim]`; call inside `tf.tidy` or a gradient function. */
export function towerForward(
  t: QaTopology,
  w: Weights,
  tower: Tower,
  b: BatchTensors,
  o: TowerOptions = {},
): tf.Tensor2D {
  const name = (part: string) => towerWeightName(t, tower, part);
  const parts: tf.Tensor2D[] = [];
  if (t.conv && b.windows) {
    let feats = convFeatures(towerShape(t, tower), w, b, o.training, name);
    const mask = o.dropoutMask?.(feats.shape as [number, number]);
    if (mask) feats = tf.mul(feats, mask);
    parts.push(linear(feats, w[name('conv/dense')] as tf.Tensor2D));
  }
  if (t.wide && b.bag) parts.push(sparseMatMul(b.bag, w[name('wide/dense')] as tf.Tensor2D));
  const sum = parts.length === 1 ? parts[0]! : tf.addN(parts);
  return l2Normalise(tf.add(sum, w[name('bias')]!) as tf.Tensor2D);
}

/** Texts per forward pass at inference: length-sorted groups pad little. */
export const EMBED_GROUP = 32;

/**
 * Unit vectors of many texts through one tower, `[n × dim]` row-major, no dropout. Texts are
 * sorted by length and run in groups. A non-finite value (impossible with finite weights,
 * but a damaged net must not poison a whole index) becomes 0.
 */
export function embedFeatures(
  t: QaTopology,
  w: Weights,
  tower: Tower,
  feats: readonly Features[],
  idf: Float32Array | undefined,
  group = EMBED_GROUP,
): Float32Array {
  const out = new Float32Array(feats.length * t.dim);
  const order = feats.map((_, i) => i).sort((a, b) => feats[a]!.sequence.length - feats[b]!.sequence.length);
  const shape = towerShape(t, tower);
  for (let i = 0; i < order.length; i += group) {
    const idx = order.slice(i, i + group);
    const batch = makeBatch(
      shape,
      idx.map((k) => feats[k]!),
      idf,
    );
    const vectors = tf.tidy(() => towerForward(t, w, tower, batch));
    const data = vectors.dataSync();
    idx.forEach((k, r) => {
      out.set(data.subarray(r * t.dim, (r + 1) * t.dim), k * t.dim);
    });
    vectors.dispose();
    disposeBatch(batch);
  }
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = 0;
  return out;
}
