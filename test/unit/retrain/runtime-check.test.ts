import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import type { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import type { ClassifierMeta } from '../../../src/nets/classifier/meta.js';
import { runtimeRefusal } from '../../../training/retrain/runtime-check.js';
import { trainToyClassifier } from '../../helpers/net-versions.js';

// Before CURRENT moves, a retrained version is loaded the way the gateway's runtime loads it;
// these are versions the gateway would refuse, so the retraining must not promote them.

let net: ClassifierNet;
const MB = 1024 ** 2;
const ref = { name: 'desk-classifier', version: '20261128-180000' };

beforeAll(async () => {
  await initBackend('wasm');
  net = trainToyClassifier();
});
afterAll(() => net.dispose());

function withMeta(edit: (meta: ClassifierMeta) => void): Map<string, Uint8Array> {
  const files = net.toFiles();
  const meta = JSON.parse(new TextDecoder().decode(files.get('meta.json'))) as ClassifierMeta;
  edit(meta);
  files.set('meta.json', new TextEncoder().encode(JSON.stringify(meta)));
  return files;
}

describe('the runtime check of a retrained version', () => {
  it('passes a version the gateway can load and serve', () => {
    expect(runtimeRefusal(net.toFiles(), ref, 256 * MB)).toBeNull();
  });

  it('names the weight when a version answers NaN', () => {
    const files = net.toFiles();
    const meta = JSON.parse(new TextDecoder().decode(files.get('meta.json'))) as ClassifierMeta;
    const bias = meta.weights.find((w) => w.name === 'output/bias')!;
    const bin = new Uint8Array(files.get('weights.bin')!);
    new DataView(bin.buffer).setFloat32(bias.offset, Number.NaN, true);
    files.set('weights.bin', bin);
    expect(runtimeRefusal(files, ref, 256 * MB)).toMatch(/classify: output \d+ is NaN \(not finite\)/);
  });

  it('refuses a version whose golden inputs no longer give their labels', () => {
    const files = withMeta((meta) => {
      meta.canary![0]!.label = meta.labels.find((l) => l !== meta.canary![0]!.label)!;
    });
    expect(runtimeRefusal(files, ref, 256 * MB)).toMatch(/canary: 1 of \d+ golden inputs changed label/);
  });

  it('refuses a version larger than the gateway’s cache bound', () => {
    expect(runtimeRefusal(net.toFiles(), ref, 1024)).toMatch(/more than the whole cache/);
  });
});
