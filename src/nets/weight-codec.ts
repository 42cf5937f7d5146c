/**
 * Compact storage of weights in `weights.bin`. Large tables (the embedding, the wide layer)
 * are stored as int8 with one float32 scale per row: a quarter of float32, and the error
 * (≤ half a step of max|row|/127) does not move accuracy; small weights stay float32.
 * Training rounds its final weights through the same codec, so the net it evaluates is
 * exactly the net on disk.
 */

/** How one weight is stored. */
export type WeightEncoding = 'float32' | 'int8-rows';

/** One weight's place in `weights.bin`. */
export interface StoredWeight {
  name: string;
  shape: number[];
  encoding: WeightEncoding;
  /** Byte offset and length in weights.bin. */
  offset: number;
  bytes: number;
}

/** Weights with at least this many values are stored as int8 rows. */
export const INT8_MIN_SIZE = 65_536;

/** The encoding chosen for a weight of this shape. */
export function encodingFor(shape: number[]): WeightEncoding {
  const size = shape.reduce((a, n) => a * n, 1);
  return shape.length === 2 && size >= INT8_MIN_SIZE ? 'int8-rows' : 'float32';
}

function rowsOf(shape: number[]): [number, number] {
  const width = shape.length >= 2 ? shape[shape.length - 1]! : shape.reduce((a, n) => a * n, 1);
  const size = shape.reduce((a, n) => a * n, 1);
  return [width === 0 ? 0 : size / width, width];
}

/** Encodes values into bytes. */
export function encodeWeight(values: Float32Array, shape: number[], encoding: WeightEncoding): Uint8Array {
  if (encoding === 'float32')
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const [rows, width] = rowsOf(shape);
  const out = new Uint8Array(rows * 4 + rows * width);
  const scales = new Float32Array(out.buffer, 0, rows);
  const q = new Int8Array(out.buffer, rows * 4, rows * width);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let j = 0; j < width; j++) max = Math.max(max, Math.abs(values[r * width + j]!));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let j = 0; j < width; j++) q[r * width + j] = Math.round(values[r * width + j]! / scale);
  }
  return out;
}

// A fresh, aligned copy: a Node Buffer's slice() is a view into a shared pool.
function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Decodes bytes written by {@link encodeWeight}. */
export function decodeWeight(bytes: Uint8Array, shape: number[], encoding: WeightEncoding): Float32Array {
  const size = shape.reduce((a, n) => a * n, 1);
  if (encoding === 'float32') {
    if (bytes.byteLength !== size * 4) throw new Error(`expected ${size * 4} bytes, got ${bytes.byteLength}`);
    return new Float32Array(copyBytes(bytes).buffer);
  }
  const [rows, width] = rowsOf(shape);
  if (bytes.byteLength !== rows * 4 + size)
    throw new Error(`expected ${rows * 4 + size} bytes, got ${bytes.byteLength}`);
  const copy = copyBytes(bytes);
  const scales = new Float32Array(copy.buffer, 0, rows);
  const q = new Int8Array(copy.buffer, rows * 4, size);
  const out = new Float32Array(size);
  for (let r = 0; r < rows; r++) {
    const s = scales[r]!;
    for (let j = 0; j < width; j++) out[r * width + j] = q[r * width + j]! * s;
  }
  return out;
}

/** Values as they will be after storing and loading (for evaluating the stored net). */
export function roundTrip(values: Float32Array, shape: number[]): Float32Array {
  const encoding = encodingFor(shape);
  return encoding === 'float32'
    ? values
    : decodeWeight(encodeWeight(values, shape, encoding), shape, encoding);
}
