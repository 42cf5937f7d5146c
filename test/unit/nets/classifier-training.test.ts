import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { evaluateClassifier } from '../../../training/classifier/evaluate.js';
import { trainClassifier } from '../../../training/classifier/train-classifier.js';
import { tempDir } from '../../helpers/config.js';
import { tinyOptions, toyData, writeToyCsv } from '../../helpers/toy-classifier.js';

let dir: string;
let dataFile: string;
let trained: ClassifierNet;
let history: Array<{ loss: number; valAccuracy: number }>;

beforeAll(async () => {
  await initBackend('wasm');
  dir = tempDir('neurodesk-classifier-');
  const data = toyData(240, 1);
  dataFile = writeToyCsv(dir, data);
  ({ net: trained, history } = trainClassifier(tinyOptions(data, dataFile)));
});

function saveCopy(version: string): string {
  trained.save(join(dir, 'nets', 'toy'), version);
  return join(dir, 'nets', 'toy', version);
}

describe('classifier training', () => {
  it('learns a small seeded task and classifies new mixes of its phrases', () => {
    const test = toyData(120, 99);
    const result = evaluateClassifier(trained, test);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(trained.meta.labels).toEqual(['card_lost', 'delivery', 'password', 'refund']);
    expect(trained.predict('потерял карту сегодня').category).toBe('card_lost');
    expect(trained.predict('please refund me').category).toBe('refund');
  });

  it('gives the same net for the same seed', () => {
    const data = toyData(240, 1);
    const again = trainClassifier(tinyOptions(data, dataFile));
    expect(again.history.map((h) => h.loss)).toEqual(history.map((h) => h.loss));
    const a = trained.probabilities(['where is my parcel']);
    const b = again.net.probabilities(['where is my parcel']);
    expect(Array.from(b)).toEqual(Array.from(a));
    again.net.dispose();
  });

  it('returns calibrated top-k with confidences that sum to at most one', () => {
    const p = trained.predict('forgot my password', 3);
    expect(p.top).toHaveLength(3);
    expect(p.top[0]!.category).toBe(p.category);
    expect(p.top.reduce((s, t) => s + t.confidence, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(p.top[0]!.confidence).toBeGreaterThanOrEqual(p.top[1]!.confidence);
    expect(trained.meta.temperature).toBeGreaterThan(0);
    expect(p.unsure).toBe(p.confidence < trained.meta.unsureThreshold);
  });

  it('classifies an empty text and a 1 MB text without failing', () => {
    expect(trained.meta.labels).toContain(trained.predict('').category);
    expect(trained.meta.labels).toContain(trained.predict('lost my card '.repeat(80_000)).category);
  });
});

describe('net folder', () => {
  it('loads a saved net that gives identical outputs', () => {
    const path = saveCopy('v1');
    const loaded = ClassifierNet.load(path);
    const texts = ['lost my card', 'где мой заказ', 'hello', ''];
    expect(Array.from(loaded.probabilities(texts))).toEqual(Array.from(trained.probabilities(texts)));
    expect(loaded.location).toMatchObject({ name: 'toy', version: 'v1' });
    loaded.dispose();
  });

  it('loads the CURRENT version when given the name folder', () => {
    saveCopy('v2');
    const loaded = ClassifierNet.load(join(dir, 'nets', 'toy'));
    expect(loaded.location!.version).toBe('v2');
    expect(readFileSync(join(dir, 'nets', 'toy', 'CURRENT'), 'utf8').trim()).toBe('v2');
    loaded.dispose();
  });

  it('refuses a truncated weights file with a clear error', () => {
    const path = saveCopy('truncated');
    truncateSync(join(path, 'weights.bin'), 1000);
    expect(() => ClassifierNet.load(path)).toThrow(
      /weights\.bin is 1000 bytes, the manifest says \d+ \(truncated\?\)/,
    );
  });

  it('refuses a tampered file with a clear error', () => {
    const path = saveCopy('tampered');
    const metaPath = join(path, 'meta.json');
    writeFileSync(metaPath, readFileSync(metaPath, 'utf8').replace('"temperature": ', '"temperature": 1'));
    expect(() => ClassifierNet.load(path)).toThrow(/meta\.json (is \d+ bytes|does not match its SHA-256)/);
    const weights = join(path, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(weights, bytes);
    expect(() => ClassifierNet.load(path)).toThrow(/weights\.bin does not match its SHA-256/);
  });

  it('refuses a folder with a missing file or no net at all', () => {
    expect(() => ClassifierNet.load(join(dir, 'nowhere'))).toThrow(/neither a version folder/);
    const path = saveCopy('missing');
    writeFileSync(join(path, 'topology.json.bak'), '');
    truncateSync(join(path, 'topology.json'), 0);
    expect(() => ClassifierNet.load(path)).toThrow(/topology\.json is 0 bytes/);
  });

  it('never leaves temporary folders behind and refuses to overwrite a version', () => {
    expect(() => saveCopy('v1')).toThrow(/already exists/);
    const entries = readdirSync(join(dir, 'nets', 'toy'));
    expect(entries.filter((e) => e.startsWith('.'))).toEqual([]);
    expect(entries).toContain('CURRENT');
  });
});
