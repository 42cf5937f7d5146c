import { type KernelConfig, type TensorInfo, UnsortedSegmentSum } from '@tensorflow/tfjs';
import { tensorMemory } from './tensor-data.js';

/**
 * Scatter-add: `out[segmentIds[i], ...] += x[i, ...]`, O(rows × width). TF.js's cpu kernel
 * costs O(numSegments × rows), which makes the gradient of an embedding over 2^15+ hashed
 * buckets take minutes; wasm has no kernel at all. This one backs `tf.unsortedSegmentSum`
 * and so the gradient of `tf.gather` on both. Ids outside [0, numSegments) are dropped, as
 * in TensorFlow.
 */
export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  return {
    kernelName: UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x as TensorInfo;
      const ids = inputs.segmentIds as TensorInfo;
      const numSegments = attrs!.numSegments as number;
      const rows = ids.shape.reduce((a, n) => a * n, 1);
      const size = x.shape.reduce((a, n) => a * n, 1);
      const width = rows === 0 ? 0 : size / rows;
      const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
      const mem = tensorMemory(backend);
      const out = mem.alloc(outShape, x.dtype);
      const xs = mem.read(x);
      const seg = mem.read(ids);
      const o = out.values;
      for (let r = 0; r < rows; r++) {
        const s = seg[r]!;
        if (s < 0 || s >= numSegments) continue;
        const src = r * width;
        const dst = s * width;
        for (let j = 0; j < width; j++) o[dst + j]! += xs[src + j]!;
      }
      return out.info;
    },
  };
}
