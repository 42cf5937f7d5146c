import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import type { LoadedClassifier } from '../../../src/nets/classifier/classifier-kind.js';
import type { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { NetHost, type VersionRef } from '../../../src/nets/runtime/net-host.js';
import { tempDir } from '../../helpers/config.js';
import {
  DAMAGE_REASON,
  DAMAGES,
  publishDamaged,
  publishGood,
  trainToyClassifier,
} from '../../helpers/net-versions.js';

let toy: ClassifierNet;
let root: string;
const ref = (version: string): VersionRef => ({ name: 'toy', version, dir: join(root, 'toy', version) });

/** Bytes one toy version holds. */
function oneNetBytes(): number {
  const host = new NetHost({ maxBytes: 1024 ** 3 });
  const bytes = host.prepare(ref('v1')).bytes;
  host.clear();
  return bytes;
}

beforeAll(async () => {
  await initBackend('wasm');
  toy = trainToyClassifier();
  root = tempDir('neurodesk-nets-');
  for (const v of ['v1', 'v2', 'v3']) publishGood(root, 'toy', v, toy);
});
afterAll(() => toy.dispose());

describe('the nets cache of one thread', () => {
  it('loads a version once, checks it, and answers from memory afterwards', () => {
    const host = new NetHost({ maxBytes: 64 * 1024 ** 2 });
    const prepared = host.prepare(ref('v1'));
    expect(prepared).toMatchObject({ kind: 'classifier', ops: { classify: 4 } });
    expect(prepared.info).toMatchObject({ labels: toy.meta.labels, canaryInputs: 4 });
    const tensors = tf.memory().numTensors;
    const out = host.run(ref('v1'), 'classify', ['lost my card', 'где мой заказ']);
    expect(Array.from(out)).toEqual(Array.from(toy.probabilities(['lost my card', 'где мой заказ'])));
    expect(host.prepare(ref('v1'))).toBe(prepared);
    expect(tf.memory().numTensors).toBe(tensors);
    host.clear();
  });

  for (const damage of DAMAGES) {
    it(`refuses a version with ${damage}, with the reason, and keeps no tensor of it`, () => {
      const host = new NetHost({ maxBytes: 64 * 1024 ** 2 });
      const version = `bad-${damage.replace(/\W+/g, '-')}`;
      publishDamaged(root, 'toy', version, toy, damage);
      const before = tf.memory().numTensors;
      expect(() => host.prepare(ref(version))).toThrow(DAMAGE_REASON[damage]);
      expect(tf.memory().numTensors).toBe(before);
      expect(host.has(ref(version))).toBe(false);
    });
  }

  it('evicts the least recently used version under a small bound and frees its tensors', () => {
    const evicted: string[] = [];
    const oneNet = oneNetBytes();
    const host = new NetHost({ maxBytes: Math.floor(oneNet * 2.5), onEvict: (r) => evicted.push(r.version) });
    const baseline = tf.memory().numTensors;
    const v1 = host.acquire(ref('v1'));
    v1.release();
    const perNet = tf.memory().numTensors - baseline;
    host.prepare(ref('v2'));
    host.run(ref('v1'), 'classify', ['refund']); // v1 is now the most recent: v2 goes next
    host.prepare(ref('v3'));
    expect(evicted).toEqual(['v2']);
    expect(
      host
        .stats()
        .nets.map((n) => n.version)
        .sort(),
    ).toEqual(['v1', 'v3']);
    expect(tf.memory().numTensors).toBe(baseline + 2 * perNet);
    expect((v1.net as LoadedClassifier).net.weights['output/bias']!.isDisposed).toBe(false);
    host.clear();
    expect(tf.memory().numTensors).toBe(baseline);
    expect((v1.net as LoadedClassifier).net.weights['output/bias']!.isDisposed).toBe(true);
  });

  it('frees an evicted version only after the requests holding it have finished', () => {
    const oneNet = oneNetBytes();
    const host = new NetHost({ maxBytes: Math.floor(oneNet * 1.5) });
    const inFlight = host.acquire(ref('v1'));
    host.prepare(ref('v2')); // evicts v1 while a request holds it
    expect(host.has(ref('v1'))).toBe(false);
    const bias = (inFlight.net as LoadedClassifier).net.weights['output/bias']!;
    expect(bias.isDisposed).toBe(false);
    expect(inFlight.net.ops.classify!.run(['forgot my password'])).toHaveLength(4);
    inFlight.release();
    expect(bias.isDisposed).toBe(true);
    host.clear();
  });

  it('refuses a net larger than the whole cache', () => {
    const host = new NetHost({ maxBytes: 1024 });
    expect(() => host.prepare(ref('v1'))).toThrow(/more than the whole cache/);
  });
});
