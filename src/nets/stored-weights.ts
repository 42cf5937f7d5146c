import * as tf from '@tensorflow/tfjs';
import { decodeWeight, encodeWeight, encodingFor, type StoredWeight } from './weight-codec.js';

/** Name and shape of one weight a net expects in `weights.bin`. */
export interface ExpectedWeight {
  name: string;
  shape: number[];
}

/**
 * Packs weights into one `weights.bin` buffer (each in the codec's encoding for its shape)
 * and the table that meta.json stores to find them again.
 */
export function packWeights(
  specs: readonly ExpectedWeight[],
  values: (name: string) => Float32Array,
): { bin: Uint8Array; stored: StoredWeight[] } {
  const parts: Uint8Array[] = [];
  const stored: StoredWeight[] = [];
  let offset = 0;
  for (const spec of specs) {
    const encoding = encodingFor(spec.shape);
    const data = encodeWeight(values(spec.name), spec.shape, encoding);
    stored.push({ name: spec.name, shape: spec.shape, encoding, offset, bytes: data.byteLength });
    parts.push(data);
    offset += data.byteLength;
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bin.set(p, at);
    at += p.byteLength;
  }
  return { bin, stored };
}

/**
 * Reads the expected weights out of `weights.bin` as tensors, checking names, shapes and
 * bounds; throws a plain Error naming the first problem (the caller adds the folder).
 */
export function unpackWeights(
  specs: readonly ExpectedWeight[],
  stored: readonly StoredWeight[],
  bin: Uint8Array,
): Record<string, tf.Tensor> {
  const byName = new Map(stored.map((s) => [s.name, s]));
  const weights: Record<string, tf.Tensor> = {};
  try {
    for (const spec of specs) {
      const s = byName.get(spec.name);
      if (!s) throw new Error(`weight ${spec.name} is missing`);
      if (s.shape.join('x') !== spec.shape.join('x'))
        throw new Error(`weight ${spec.name} has shape ${s.shape}, expected ${spec.shape}`);
      if (s.offset + s.bytes > bin.byteLength)
        throw new Error(`weight ${spec.name} lies past the end of weights.bin`);
      weights[spec.name] = tf.tensor(
        decodeWeight(bin.subarray(s.offset, s.offset + s.bytes), s.shape, s.encoding),
        s.shape,
      );
    }
  } catch (err) {
    tf.dispose(Object.values(weights));
    throw err;
  }
  return weights;
}
