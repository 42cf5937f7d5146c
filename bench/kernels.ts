import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/nets/backend.js';
import { gatherRows, linear, maxOverTime } from '../src/nets/ops.js';
import { seededRandom } from '../src/nets/random.js';
import { writeBenchResults } from './write-results.js';

type Figures = Record<string, number | string | boolean | null>;

/**
 * `npm run bench:kernels`: times each op we replaced against TF.js's own, at the shapes of a
 * classifier training step (batch 128, ~60 trigram positions, embedding 32, 128 filters,
 * width 4), on wasm. Each figure is the median of several runs, in milliseconds.
 */
await initBackend('wasm');
const rng = seededRandom(1);
const rand = (shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, n) => a * n, 1) }, () => rng.next() * 2 - 1),
    shape,
  );

function time(fn: () => tf.Tensor | tf.Tensor[], runs = 7): number {
  const once = () => {
    const start = performance.now();
    const out = tf.tidy(fn);
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    tf.dispose(out);
    return performance.now() - start;
  };
  once();
  const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)]! * 100) / 100;
}

const [batch, steps, embed, filters, width, vocab] = [128, 60, 32, 128, 4, 32768];
const positions = steps - width + 1;
const rows = batch * positions;
const x = rand([rows, width * embed]);
const w = rand([width * embed, filters]);
const dy = rand([rows, filters]);
const figures: Figures = {
  backend: tf.getBackend(),
  shape: `${batch}x${steps} positions, embed ${embed}, ${filters} filters, width ${width}`,
};

const gflops = (ms: number, flops: number) => Math.round((flops / ms / 1e6) * 10) / 10;
const mmFlops = 2 * rows * width * embed * filters;
figures.matMulPlainMs = time(() => tf.matMul(x, w));
figures.matMulPlainGflops = gflops(figures.matMulPlainMs, mmFlops);
figures.matMulTransposeAMs = time(() => tf.matMul(x, dy, true, false));
figures.matMulTransposeAGflops = gflops(figures.matMulTransposeAMs, mmFlops);
figures.matMulExplicitTransposeMs = time(() => tf.matMul(tf.transpose(x), dy));
figures.matMulExplicitTransposeGflops = gflops(figures.matMulExplicitTransposeMs, mmFlops);
figures.linearGradTfjsMs = time(() =>
  tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), dy)))([x, w]),
);
figures.linearGradOursMs = time(() =>
  tf.grads((a, b) => tf.sum(tf.mul(linear(a as tf.Tensor2D, b as tf.Tensor2D), dy)))([x, w]),
);

const conv = rand([batch, positions, filters]);
const pooledDy = rand([batch, filters]);
figures.maxPoolGradTfjsMs = time(() => tf.grad((v) => tf.sum(tf.mul(tf.max(v, 1), pooledDy)))(conv));
figures.maxPoolGradOursMs = time(() =>
  tf.grad((v) => tf.sum(tf.mul(maxOverTime(v as tf.Tensor3D), pooledDy)))(conv),
);

const table = rand([vocab, embed]);
const ids = tf.tensor1d(
  Int32Array.from({ length: rows * width }, () => Math.floor(rng.next() * vocab)),
  'int32',
);
figures.gatherTfjsMs = time(() => tf.gather(table, ids));
figures.gatherRowsOursMs = time(() => gatherRows(table as tf.Tensor2D, ids));
const lookupDy = rand([rows * width, embed]);
figures.embeddingGradOursMs = time(() =>
  tf.grad((t) => tf.sum(gatherRows(t as tf.Tensor2D, ids).mul(lookupDy)))(table),
);

// im2col: slicing shifted copies of the embedded sequence and concatenating them (TF.js's
// gradient: SplitV + pads + adds) against gathering the window ids from the table directly.
const seqIds = tf.tensor1d(
  Int32Array.from({ length: batch * steps }, () => Math.floor(rng.next() * vocab)),
  'int32',
);
const colDy = rand([rows, width * embed]);
figures.im2colSliceConcatGradMs = time(() =>
  tf.grad((t) => {
    const emb = tf.gather(t, seqIds).reshape([batch, steps, embed]);
    const cols = tf.concat(
      Array.from({ length: width }, (_, k) => tf.slice(emb, [0, k, 0], [batch, positions, embed])),
      2,
    );
    return tf.sum(tf.mul(cols.reshape([rows, width * embed]), colDy));
  })(table),
);
figures.im2colWindowGatherGradMs = time(() =>
  tf.grad((t) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids).reshape([rows, width * embed]), colDy)))(
    table,
  ),
);

const path = writeBenchResults('kernels', 'npm run bench:kernels', figures);
process.stdout.write(`${readFileSync(path, 'utf8')}written to ${path}\n`);
