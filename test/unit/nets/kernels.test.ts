import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import { gatherRows, linear, maxOverTime, sparseMatMul } from '../../../src/nets/ops.js';
import { type Random, seededRandom } from '../../../src/nets/random.js';

const randInt = (rng: Random, n: number) => Math.floor(rng.next() * n);
const randArray = (rng: Random, n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  }
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await initBackend('wasm');
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`net kernels on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('sums rows into segments like a plain loop (unsortedSegmentSum)', () => {
      const rng = seededRandom(11);
      for (let trial = 0; trial < 5; trial++) {
        const rows = 1 + randInt(rng, 300);
        const width = 1 + randInt(rng, 40);
        const segments = 1 + randInt(rng, 5000);
        const x = randArray(rng, rows * width);
        const ids = Int32Array.from({ length: rows }, () => randInt(rng, segments));
        const expected = new Float32Array(segments * width);
        for (let r = 0; r < rows; r++)
          for (let j = 0; j < width; j++) expected[ids[r]! * width + j]! += x[r * width + j]!;
        const out = tf.unsortedSegmentSum(tf.tensor2d(x, [rows, width]), tf.tensor1d(ids, 'int32'), segments);
        expect(out.shape).toEqual([segments, width]);
        expectClose(out.dataSync(), expected);
      }
    });

    it('looks up rows and scatters their gradient back (gatherRows)', () => {
      const rng = seededRandom(12);
      const vocab = 50 + randInt(rng, 500);
      const width = 1 + randInt(rng, 32);
      const n = 1 + randInt(rng, 400);
      const table = tf.tensor2d(randArray(rng, vocab * width), [vocab, width]);
      const ids = tf.tensor1d(
        Int32Array.from({ length: n }, () => randInt(rng, vocab)),
        'int32',
      );
      const dy = tf.tensor2d(randArray(rng, n * width), [n, width]);
      expectClose(gatherRows(table, ids).dataSync(), tf.gather(table, ids).dataSync());
      const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids), dy)))(table);
      const idsArr = ids.dataSync();
      const dyArr = dy.dataSync();
      const expected = new Float32Array(vocab * width);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < width; j++) expected[idsArr[i]! * width + j]! += dyArr[i * width + j]!;
      expectClose(ours.dataSync(), expected);
    });

    it('pools the maximum over time and sends the gradient only to it (maxOverTime)', () => {
      const rng = seededRandom(13);
      for (let trial = 0; trial < 4; trial++) {
        const [b, t, f] = [1 + randInt(rng, 16), 1 + randInt(rng, 60), 1 + randInt(rng, 64)];
        const x = tf.tensor3d(randArray(rng, b * t * f), [b, t, f]);
        const dy = tf.tensor2d(randArray(rng, b * f), [b, f]);
        expectClose(maxOverTime(x).dataSync(), tf.max(x, 1).dataSync());
        expectClose(maxOverTime(x, false).dataSync(), tf.max(x, 1).dataSync());
        const ours = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(maxOverTime(v as tf.Tensor3D), dy)))(x);
        const xs = x.dataSync();
        const g = dy.dataSync();
        const expected = new Float32Array(b * t * f);
        for (let i = 0; i < b; i++) {
          for (let k = 0; k < f; k++) {
            let best = 0;
            for (let s = 1; s < t; s++) if (xs[(i * t + s) * f + k]! > xs[(i * t + best) * f + k]!) best = s;
            expected[(i * t + best) * f + k] = g[i * f + k]!;
          }
        }
        expectClose(ours.dataSync(), expected);
      }
    });

    it('pools each row over its own valid positions only when given their counts', () => {
      const rng = seededRandom(15);
      const [b, t, f] = [6, 9, 5];
      const x = tf.tensor3d(randArray(rng, b * t * f), [b, t, f]);
      const valid = [1, 3, 9, 12, 0, 5];
      const xs = x.dataSync();
      const expected = new Float32Array(b * f);
      for (let i = 0; i < b; i++) {
        const until = Math.max(1, Math.min(t, valid[i]!));
        for (let k = 0; k < f; k++) {
          let best = Number.NEGATIVE_INFINITY;
          for (let s = 0; s < until; s++) best = Math.max(best, xs[(i * t + s) * f + k]!);
          expected[i * f + k] = best;
        }
      }
      expect(Array.from(maxOverTime(x, false, valid).dataSync())).toEqual(Array.from(expected));
    });

    it('multiplies a sparse batch by a dense weight, and its gradient matches the dense product', () => {
      const rng = seededRandom(14);
      const [batch, vocab, width] = [1 + randInt(rng, 20), 100 + randInt(rng, 900), 1 + randInt(rng, 30)];
      const nnz = batch * (1 + randInt(rng, 30));
      const rows = Int32Array.from({ length: nnz }, () => randInt(rng, batch));
      const cols = Int32Array.from({ length: nnz }, () => randInt(rng, vocab));
      const values = randArray(rng, nnz);
      const dense = new Float32Array(batch * vocab);
      for (let i = 0; i < nnz; i++) dense[rows[i]! * vocab + cols[i]!]! += values[i]!;
      const sp = {
        batch,
        rows: tf.tensor1d(rows, 'int32'),
        cols: tf.tensor1d(cols, 'int32'),
        values: tf.tensor1d(values),
      };
      const w = tf.tensor2d(randArray(rng, vocab * width), [vocab, width]);
      const x = tf.tensor2d(dense, [batch, vocab]);
      const dy = tf.tensor2d(randArray(rng, batch * width), [batch, width]);
      expectClose(sparseMatMul(sp, w).dataSync(), tf.matMul(x, w).dataSync());
      const ours = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(sparseMatMul(sp, v as tf.Tensor2D), dy)))(w);
      expectClose(ours.dataSync(), tf.matMul(x, dy, true, false).dataSync());
    });

    it('gives a linear layer the same gradients as TF.js matMul', () => {
      const rng = seededRandom(15);
      const [n, k, m] = [1 + randInt(rng, 200), 1 + randInt(rng, 100), 1 + randInt(rng, 80)];
      const x = tf.tensor2d(randArray(rng, n * k), [n, k]);
      const w = tf.tensor2d(randArray(rng, k * m), [k, m]);
      const dy = tf.tensor2d(randArray(rng, n * m), [n, m]);
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(linear(a as tf.Tensor2D, b as tf.Tensor2D), dy)),
      )([x, w]);
      const theirs = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), dy)),
      )([x, w]);
      expectClose(ours[0]!.dataSync(), theirs[0]!.dataSync());
      expectClose(ours[1]!.dataSync(), theirs[1]!.dataSync());
    });
  });
}
