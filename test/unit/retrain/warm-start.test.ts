import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import type { Topology } from '../../../src/nets/classifier/topology.js';
import { weightSpecs } from '../../../src/nets/classifier/topology.js';
import { DEFAULT_VECTORISER_SETTINGS } from '../../../src/nets/vectoriser.js';
import { warmStartFrom } from '../../../training/retrain/warm-start.js';

beforeAll(async () => {
  await initBackend('cpu');
});

function net(labels: string[]): ClassifierNet {
  const topology: Topology = {
    kind: 'neurodesk-text-classifier',
    version: 1,
    classes: labels.length,
    conv: null,
    wide: { vocab: 3 },
  };
  const weights = {
    'wide/idf': tf.tensor([9, 9, 9], [3]),
    // Row r, column c holds 10r + c, so every value says where it came from.
    'wide/dense': tf.tensor(
      Array.from(
        { length: 3 * labels.length },
        (_, i) => 10 * Math.floor(i / labels.length) + (i % labels.length),
      ),
      [3, labels.length],
    ),
    'output/bias': tf.tensor(
      labels.map((_, c) => 100 + c),
      [labels.length],
    ),
  };
  return ClassifierNet.create(topology, weights, {
    kind: 'classifier',
    name: 'n',
    createdAt: '',
    vectoriser: DEFAULT_VECTORISER_SETTINGS,
    labels,
    temperature: 1,
    unsureThreshold: 0.5,
    metrics: {},
    trainingData: { file: 'x', sha256: 'y', rows: 1 },
    training: {},
  });
}

describe('fine-tuning starts from the version in service', () => {
  it("copies each category's output column to its new place and starts a new category at zero", () => {
    const old = net(['a', 'c']);
    const init = warmStartFrom(old);
    const labels = ['a', 'b', 'c'];
    const t: Topology = { ...old.topology, classes: 3 };
    const [idf, dense, bias] = weightSpecs(t).map((spec) => init(spec, labels));
    expect(idf).toBeUndefined();
    expect(Array.from(dense!)).toEqual([0, 0, 1, 10, 0, 11, 20, 0, 21]);
    expect(Array.from(bias!)).toEqual([100, 0, 101]);
    old.dispose();
  });

  it('copies every weight as is when the categories are unchanged', () => {
    const old = net(['a', 'b']);
    const init = warmStartFrom(old);
    const dense = weightSpecs(old.topology).find((s) => s.name === 'wide/dense')!;
    expect(Array.from(init(dense, ['a', 'b'])!)).toEqual([0, 1, 10, 11, 20, 21]);
    old.dispose();
  });
});
