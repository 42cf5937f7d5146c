import type { DataType, TensorInfo } from '@tensorflow/tfjs';

/** A typed array of one of the numeric dtypes our kernels handle. */
export type NumericArray = Float32Array | Int32Array;

interface WasmLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): NumericArray;
}

interface CpuLike {
  data: { get(dataId: object): { values: NumericArray } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: NumericArray): TensorInfo;
}

/**
 * Direct access to a backend's tensor memory, so a kernel written in plain TypeScript runs on
 * wasm (tensors live in the module's heap) and on cpu (tensors are typed arrays) alike. On
 * wasm, allocating can grow the heap and detach earlier views: allocate every output first,
 * then take the input views.
 */
export interface TensorMemory {
  /** A view of a tensor's values (no copy). */
  read(info: TensorInfo): NumericArray;
  /** A new output tensor and a writable view of its values, filled with zeros. */
  alloc(shape: number[], dtype: DataType): { info: TensorInfo; values: NumericArray };
}

/** Wraps a wasm or cpu backend object as {@link TensorMemory}. */
export function tensorMemory(backend: unknown): TensorMemory {
  const b = backend as Partial<WasmLike & CpuLike>;
  if (typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function') {
    const wasm = b as WasmLike;
    return {
      read: (info) => wasm.typedArrayFromHeap(info),
      alloc: (shape, dtype) => {
        const info = wasm.makeOutput(shape, dtype);
        const values = wasm.typedArrayFromHeap(info);
        values.fill(0);
        return { info, values };
      },
    };
  }
  if (typeof b.makeTensorInfo === 'function' && b.data) {
    const cpu = b as CpuLike;
    return {
      read: (info) => cpu.data.get(info.dataId).values,
      alloc: (shape, dtype) => {
        const size = shape.reduce((a, n) => a * n, 1);
        const values = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
        return { info: cpu.makeTensorInfo(shape, dtype, values), values };
      },
    };
  }
  throw new Error('tensor memory: unsupported backend (expected wasm or cpu)');
}
