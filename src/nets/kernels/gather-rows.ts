import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { tensorMemory } from './tensor-data.js';

/** Kernel name: `out[i, :] = table[ids[i], :]` for a 2-D table and 1-D ids (an embedding lookup). */
export const GATHER_ROWS = 'NeurodeskGatherRows';

/**
 * Embedding lookup as row copies. TF.js's wasm `GatherV2` computes every element's source
 * index separately and was a quarter of a training step; copying whole rows is a memcpy each.
 * Ids outside the table give zero rows.
 */
export function gatherRowsKernel(backendName: string): KernelConfig {
  return {
    kernelName: GATHER_ROWS,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const table = inputs.table as TensorInfo;
      const ids = inputs.ids as TensorInfo;
      const [rows, width] = table.shape as [number, number];
      const n = ids.shape[0]!;
      const mem = tensorMemory(backend);
      const out = mem.alloc([n, width], table.dtype);
      const t = mem.read(table);
      const idx = mem.read(ids);
      const o = out.values;
      for (let i = 0; i < n; i++) {
        const id = idx[i]!;
        if (id >= 0 && id < rows) o.set(t.subarray(id * width, (id + 1) * width), i * width);
      }
      return out.info;
    },
  };
}
