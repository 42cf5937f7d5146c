import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { tensorMemory } from './tensor-data.js';

/**
 * Kernel name: a sparse `[batch, vocab]` matrix (COO: `rows`, `cols`, `values`) times a
 * dense `[vocab, width]` weight: `out[rows[i]] += values[i] * weight[cols[i]]`; attr `batch`.
 * The "wide" bag-of-n-grams layer: a few hundred non-zeros per text out of 2^16+ columns.
 */
export const SPARSE_MATMUL = 'NeurodeskSparseMatMul';
/** Kernel name: gradient of the weight: `out[cols[i]] += values[i] * dy[rows[i]]`; attr `vocab`. */
export const SPARSE_MATMUL_GRAD = 'NeurodeskSparseMatMulGrad';

/** See {@link SPARSE_MATMUL}. */
export function sparseMatMulKernel(backendName: string): KernelConfig {
  return {
    kernelName: SPARSE_MATMUL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { rows, cols, values, weight } = inputs as Record<string, TensorInfo>;
      const width = weight!.shape[1]!;
      const mem = tensorMemory(backend);
      const out = mem.alloc([attrs!.batch as number, width], 'float32');
      const r = mem.read(rows!);
      const c = mem.read(cols!);
      const v = mem.read(values!);
      const w = mem.read(weight!);
      const o = out.values;
      for (let i = 0; i < r.length; i++) {
        const dst = r[i]! * width;
        const src = c[i]! * width;
        const s = v[i]!;
        for (let j = 0; j < width; j++) o[dst + j]! += s * w[src + j]!;
      }
      return out.info;
    },
  };
}

/** See {@link SPARSE_MATMUL_GRAD}. */
export function sparseMatMulGradKernel(backendName: string): KernelConfig {
  return {
    kernelName: SPARSE_MATMUL_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { rows, cols, values, dy } = inputs as Record<string, TensorInfo>;
      const width = dy!.shape[1]!;
      const mem = tensorMemory(backend);
      const out = mem.alloc([attrs!.vocab as number, width], 'float32');
      const r = mem.read(rows!);
      const c = mem.read(cols!);
      const v = mem.read(values!);
      const g = mem.read(dy!);
      const o = out.values;
      for (let i = 0; i < r.length; i++) {
        const src = r[i]! * width;
        const dst = c[i]! * width;
        const s = v[i]!;
        for (let j = 0; j < width; j++) o[dst + j]! += s * g[src + j]!;
      }
      return out.info;
    },
  };
}
