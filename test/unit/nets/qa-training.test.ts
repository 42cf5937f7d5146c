import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import { NetFolderError } from '../../../src/nets/net-folder.js';
import { l2Normalise } from '../../../src/nets/ops.js';
import { QaNet } from '../../../src/nets/qa/qa-net.js';
import { TOY_KB, trainToyQa } from '../../helpers/toy-qa.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('two-tower training', () => {
  let net: QaNet;
  beforeAll(() => {
    net = trainToyQa();
  });

  it('learns to put a question next to its answer', () => {
    const best = (q: string) => {
      const scores = net.scoreCandidates(
        q,
        TOY_KB.map((a) => a.text),
      );
      return TOY_KB[scores.indexOf(Math.max(...scores))]!;
    };
    expect(best('my card was stolen yesterday').category).toBe('card_lost');
    expect(best('where is my parcel, it is late').category).toBe('delivery');
    expect(best('i forgot my password').category).toBe('password');
    expect(net.meta.metrics.valTop1).toBeGreaterThan(0.9);
  });

  it('answers a Russian question with the Russian answer of its topic', () => {
    const scores = net.scoreCandidates(
      'не пришла посылка',
      TOY_KB.map((a) => a.text),
    );
    expect(TOY_KB[scores.indexOf(Math.max(...scores))]).toMatchObject({
      category: 'delivery',
      language: 'ru',
    });
  });

  it('gives unit vectors with finite values for any text', () => {
    const texts = ['', '😀😀', 'x'.repeat(5000), '\u0000\ud800', 'ok'];
    for (const tower of ['question', 'answer'] as const) {
      const v = net.embed(texts, tower);
      expect(v.every(Number.isFinite)).toBe(true);
      for (let i = 0; i < texts.length; i++) {
        const norm = Math.hypot(...v.subarray(i * net.dim, (i + 1) * net.dim));
        expect(norm === 0 || Math.abs(norm - 1) < 1e-4).toBe(true);
      }
    }
  });

  it('is deterministic for a seed', () => {
    const again = trainToyQa();
    expect(Array.from(again.embed(['lost my card'], 'question'))).toEqual(
      Array.from(net.embed(['lost my card'], 'question')),
    );
    again.dispose();
  });

  it('survives save and load with the same vectors, scoring and golden inputs', () => {
    const root = join(mkdtempSync(join(tmpdir(), 'qa-')), 'toy-qa');
    net.save(root, 'v1');
    const loaded = QaNet.load(root);
    expect(loaded.location?.version).toBe('v1');
    expect(loaded.meta.scoring).toEqual(net.meta.scoring);
    expect(loaded.meta.canary.length).toBeGreaterThan(0);
    expect(loaded.goldenDeviation()).toBeLessThan(1e-5);
    expect(Array.from(loaded.scoreCandidates('refund please', ['a', 'b']))).toEqual(
      Array.from(net.scoreCandidates('refund please', ['a', 'b'])),
    );
    loaded.dispose();
  });

  it('refuses a damaged net folder with a message naming the file', () => {
    const root = join(mkdtempSync(join(tmpdir(), 'qa-')), 'toy-qa');
    const location = net.save(root, 'v1');
    const weights = join(location.dir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(weights, bytes);
    expect(() => QaNet.load(root)).toThrow(NetFolderError);
    expect(() => QaNet.load(root)).toThrow(/weights\.bin/);
  });
});

describe('L2 normalisation op', () => {
  it('matches the plain formula and its gradient, and keeps a zero row at zero', () => {
    const x = tf.tensor2d([
      [3, 4, 0],
      [0, 0, 0],
      [1, -2, 2],
    ]);
    expect(Array.from(l2Normalise(x).dataSync())).toEqual(
      Array.from(tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-6)).dataSync()),
    );
    const dy = tf.tensor2d([
      [1, 2, 3],
      [1, 1, 1],
      [-1, 0, 2],
    ]);
    const ours = tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(l2Normalise(t as tf.Tensor2D), dy)))(x)
      .dataSync();
    const plain = tf
      .grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.div(t, tf.maximum(tf.norm(t, 'euclidean', 1, true), 1e-6)), dy)),
      )(x)
      .dataSync();
    for (const i of [0, 1, 2, 6, 7, 8]) expect(ours[i]).toBeCloseTo(plain[i]!, 4);
    expect(Array.from(ours.slice(3, 6))).toEqual([0, 0, 0]);
  });
});
