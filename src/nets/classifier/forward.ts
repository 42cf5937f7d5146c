import * as tf from '@tensorflow/tfjs';
import { gatherRows, linear, maxOverTime, sparseMatMul } from '../ops.js';
import type { BatchTensors } from './batch.js';
import type { Topology } from './topology.js';

/** The weights of a classifier by name (see `weightSpecs`). */
export type Weights = Record<string, tf.Tensor>;

/** Options of a forward pass: set when training. */
export interface ForwardOptions {
  /** Training: keep what the gradients need (e.g. where each maximum was). */
  training?: boolean;
  /** Returns a `[batch, features]` keep-mask already scaled by 1/(1-rate), or null at inference. */
  dropoutMask?: (shape: [number, number]) => tf.Tensor2D | null;
}

/**
 * The conv path's pooled features, `[batch, widths × filters]`. `name` maps the path's
 * weight names (`conv/embedding`, `conv/kernelW`, `conv/biasW`) to the keys in `w`, so the
 * two-tower net's towers run the same encoder over their own or shared weights.
 */
export function convFeatures(
  t: Pick<Topology, 'conv'>,
  w: Weights,
  b: BatchTensors,
  training = false,
  name: (part: string) => string = (part) => part,
): tf.Tensor2D {
  const c = t.conv!;
  const pooled = c.widths.map((width) => {
    const positions = b.steps - width + 1;
    const window = gatherRows(w[name('conv/embedding')] as tf.Tensor2D, b.windows!.get(width)!).reshape([
      b.size * positions,
      width * c.embedDim,
    ]);
    const conv = linear(window as tf.Tensor2D, w[name(`conv/kernel${width}`)] as tf.Tensor2D);
    // max_t relu(x_t + b) = relu(max_t x_t + b): bias and ReLU on the pooled values only.
    // Inference pools each text over its own windows only (the padding its batchmates
    // force on it would otherwise move its maximum); training pools the padded batch as trained.
    const own = training ? undefined : b.ownSteps?.map((s) => s - width + 1);
    const max = maxOverTime(conv.reshape([b.size, positions, c.filters]), training, own);
    return tf.relu(tf.add(max, w[name(`conv/bias${width}`)]!)) as tf.Tensor2D;
  });
  return pooled.length === 1 ? pooled[0]! : tf.concat(pooled, 1);
}

/** Each path's logits before they are summed (biasless), for auxiliary losses in training. */
export function pathLogits(t: Topology, w: Weights, b: BatchTensors, o: ForwardOptions = {}): tf.Tensor2D[] {
  const parts: tf.Tensor2D[] = [];
  if (t.conv && b.windows) {
    let feats = convFeatures(t, w, b, o.training);
    const mask = o.dropoutMask?.(feats.shape as [number, number]);
    if (mask) feats = tf.mul(feats, mask);
    parts.push(linear(feats, w['conv/dense'] as tf.Tensor2D));
  }
  if (t.wide && b.bag) parts.push(sparseMatMul(b.bag, w['wide/dense'] as tf.Tensor2D));
  return parts;
}

/** Sums path logits and adds the output bias. */
export function combineLogits(w: Weights, parts: tf.Tensor2D[]): tf.Tensor2D {
  const sum = parts.length === 1 ? parts[0]! : tf.addN(parts);
  return tf.add(sum, w['output/bias']!) as tf.Tensor2D;
}

/** Logits `[batch, classes]` of a batch; call inside `tf.tidy` or a gradient function. */
export function forward(t: Topology, w: Weights, b: BatchTensors, o: ForwardOptions = {}): tf.Tensor2D {
  return combineLogits(w, pathLogits(t, w, b, o));
}
