import * as tf from '@tensorflow/tfjs';
import type { Features } from '../vectoriser.js';
import { disposeBatch, makeBatch } from './batch.js';
import { forward, type Weights } from './forward.js';
import type { Topology } from './topology.js';

/** Texts per forward pass at inference: small enough that length-sorted groups pad little. */
export const INFERENCE_GROUP = 16;

/**
 * Logits of many texts, `[n × classes]` row-major, with no dropout. Texts are sorted by
 * length and run in groups, so one long text does not pad a whole batch to its length.
 */
export function predictLogits(
  t: Topology,
  w: Weights,
  feats: readonly Features[],
  idf: Float32Array | undefined,
  group = INFERENCE_GROUP,
): Float32Array {
  const classes = t.classes;
  const out = new Float32Array(feats.length * classes);
  const order = feats.map((_, i) => i).sort((a, b) => feats[a]!.sequence.length - feats[b]!.sequence.length);
  for (let i = 0; i < order.length; i += group) {
    const idx = order.slice(i, i + group);
    const batch = makeBatch(
      t,
      idx.map((k) => feats[k]!),
      idf,
    );
    const logits = tf.tidy(() => forward(t, w, batch));
    const data = logits.dataSync();
    idx.forEach((k, r) => {
      out.set(data.subarray(r * classes, (r + 1) * classes), k * classes);
    });
    logits.dispose();
    disposeBatch(batch);
  }
  return out;
}

/** Softmax of `logits / temperature`, in place over each row of `classes` values. */
export function calibratedSoftmax(logits: Float32Array, classes: number, temperature: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += classes) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r + c]! / temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logits[r + c]! / temperature - max);
      out[r + c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) out[r + c]! /= sum;
  }
  return out;
}
