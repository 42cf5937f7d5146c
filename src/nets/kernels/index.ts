import * as tf from '@tensorflow/tfjs';
import { gatherRowsKernel } from './gather-rows.js';
import { argMaxOverTimeKernel, maxOverTimeKernel, scatterOverTimeKernel } from './max-over-time.js';
import { sparseMatMulGradKernel, sparseMatMulKernel } from './sparse-matmul.js';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';

export { GATHER_ROWS } from './gather-rows.js';
export { ARG_MAX_OVER_TIME, MAX_OVER_TIME, SCATTER_OVER_TIME } from './max-over-time.js';
export { SPARSE_MATMUL, SPARSE_MATMUL_GRAD } from './sparse-matmul.js';

/** Backends whose tensors our kernels can read and write directly. */
export const KERNEL_BACKENDS = ['wasm', 'cpu'] as const;

const registered = new Set<string>();

/**
 * Registers our kernels for a backend (once): the missing or slow `UnsortedSegmentSum`
 * (replacing TF.js's own on cpu) and the custom kernels behind `ops.ts`. Other backends
 * (tfjs-node) keep their native kernels; the custom ops there fall back to plain TF.js ops.
 */
export function registerNetKernels(backendName: string): boolean {
  if (!(KERNEL_BACKENDS as readonly string[]).includes(backendName)) return false;
  if (registered.has(backendName)) return true;
  const configs = [
    unsortedSegmentSumKernel(backendName),
    gatherRowsKernel(backendName),
    maxOverTimeKernel(backendName),
    argMaxOverTimeKernel(backendName),
    scatterOverTimeKernel(backendName),
    sparseMatMulKernel(backendName),
    sparseMatMulGradKernel(backendName),
  ];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, backendName)) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
  registered.add(backendName);
  return true;
}

/** True when the active backend runs our custom kernels. */
export function hasNetKernels(): boolean {
  return registered.has(tf.getBackend());
}
