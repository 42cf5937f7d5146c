import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { tensorMemory } from './tensor-data.js';

/**
 * Kernel name: maximum of `x[b, :, f]`, `[batch, features]`; with attr `valid` (one count per
 * row), only the first `valid[b]` positions of row b count.
 */
export const MAX_OVER_TIME = 'NeurodeskMaxOverTime';
/** Kernel name: position of the maximum of `x[b, :, f]`, as int32 `[batch, features]`. */
export const ARG_MAX_OVER_TIME = 'NeurodeskArgMaxOverTime';
/** Kernel name: `out[b, indices[b, f], f] = dy[b, f]`, zeros elsewhere; attr `steps`. */
export const SCATTER_OVER_TIME = 'NeurodeskScatterOverTime';

/**
 * Global max pooling's two halves. TF.js differentiates `max` by comparing the input with
 * the broadcast maximum (`equal` over the whole `[batch, steps, features]` tensor), which
 * took most of a training step on wasm; remembering where each maximum was and writing the
 * gradient only there is one pass over the input and one over the output. (wasm's own `Max`
 * reduces the innermost axis only, so over time it transposes first: the value kernel here
 * is one pass too.)
 */
export function maxOverTimeKernel(backendName: string): KernelConfig {
  return {
    kernelName: MAX_OVER_TIME,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x as TensorInfo;
      const [batch, steps, feats] = x.shape as [number, number, number];
      const valid = attrs?.valid as number[] | undefined;
      const mem = tensorMemory(backend);
      const out = mem.alloc([batch, feats], 'float32');
      const xs = mem.read(x);
      const o = out.values;
      for (let b = 0; b < batch; b++) {
        const ob = b * feats;
        const until = valid ? Math.max(1, Math.min(steps, valid[b]!)) : steps;
        o.set(xs.subarray(b * steps * feats, b * steps * feats + feats), ob);
        for (let t = 1; t < until; t++) {
          const row = (b * steps + t) * feats;
          for (let f = 0; f < feats; f++) {
            const v = xs[row + f]!;
            if (v > o[ob + f]!) o[ob + f] = v;
          }
        }
      }
      return out.info;
    },
  };
}

/** See {@link ARG_MAX_OVER_TIME}. */
export function argMaxOverTimeKernel(backendName: string): KernelConfig {
  return {
    kernelName: ARG_MAX_OVER_TIME,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as TensorInfo;
      const [batch, steps, feats] = x.shape as [number, number, number];
      const mem = tensorMemory(backend);
      const out = mem.alloc([batch, feats], 'int32');
      const xs = mem.read(x);
      const o = out.values;
      const best = new Float32Array(feats);
      for (let b = 0; b < batch; b++) {
        const base = b * steps * feats;
        best.fill(Number.NEGATIVE_INFINITY);
        const ob = b * feats;
        for (let t = 0; t < steps; t++) {
          const row = base + t * feats;
          for (let f = 0; f < feats; f++) {
            const v = xs[row + f]!;
            if (v > best[f]!) {
              best[f] = v;
              o[ob + f] = t;
            }
          }
        }
      }
      return out.info;
    },
  };
}

/** See {@link SCATTER_OVER_TIME}. */
export function scatterOverTimeKernel(backendName: string): KernelConfig {
  return {
    kernelName: SCATTER_OVER_TIME,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const dy = inputs.dy as TensorInfo;
      const indices = inputs.indices as TensorInfo;
      const [batch, feats] = dy.shape as [number, number];
      const steps = attrs!.steps as number;
      const mem = tensorMemory(backend);
      const out = mem.alloc([batch, steps, feats], dy.dtype);
      const g = mem.read(dy);
      const idx = mem.read(indices);
      const o = out.values;
      for (let b = 0; b < batch; b++) {
        for (let f = 0; f < feats; f++) {
          const i = b * feats + f;
          o[(b * steps + idx[i]!) * feats + f] = g[i]!;
        }
      }
      return out.info;
    },
  };
}
