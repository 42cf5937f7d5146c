import { Writable } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/ports.js';
import { createLogger } from '../../../src/logger.js';
import { initBackend } from '../../../src/nets/backend.js';
import type { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { watchCurrent } from '../../../src/nets/runtime/current-watcher.js';
import { LocalExecutor } from '../../../src/nets/runtime/executor.js';
import { NetHost } from '../../../src/nets/runtime/net-host.js';
import { NetRegistry } from '../../../src/nets/runtime/net-registry.js';
import { tempDir } from '../../helpers/config.js';
import { promote, publishDamaged, publishGood, trainToyClassifier } from '../../helpers/net-versions.js';
import { waitFor } from '../../helpers/wait.js';

let toy: ClassifierNet;
let toyBytes: number;
const TEXTS = ['lost my card', 'please refund me today', 'где мой заказ', 'forgot my password', ''];

beforeAll(async () => {
  await initBackend('wasm');
  toy = trainToyClassifier();
  toyBytes = toy.bytes;
});
afterAll(() => toy.dispose());

/** A registry over a fresh nets root holding toy v1 (CURRENT) and v2, with captured logs. */
function setup(maxBytes = 64 * 1024 ** 2) {
  const root = tempDir('neurodesk-nets-');
  publishGood(root, 'toy', 'v1', toy, true);
  publishGood(root, 'toy', 'v2', toy);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const registry = new NetRegistry({
    root,
    executor: new LocalExecutor(new NetHost({ maxBytes })),
    batching: { maxSize: 16, maxWaitMs: 1 },
    logger: createLogger('info', sink),
    clock: systemClock,
  });
  return { root, registry, logs };
}

describe('the nets registry', () => {
  it('loads a net on first use and reports the version behind every output', async () => {
    const { registry } = setup();
    expect(registry.status('toy')).toEqual({ state: 'loading' });
    const out = await registry.run('toy', 'classify', 'lost my card');
    expect(out.net).toEqual({ name: 'toy', version: 'v1' });
    expect(Array.from(out.row)).toEqual(Array.from(toy.probabilities(['lost my card'])));
    expect(registry.status('toy')).toEqual({ state: 'ready', version: 'v1' });
    await registry.close();
  });

  it('answers 503 not_ready for a net that is not in the nets folder', async () => {
    const { registry } = setup();
    await expect(registry.run('missing', 'classify', 'hi')).rejects.toMatchObject({
      code: 'not_ready',
      message: expect.stringMatching(/failed to load: .*neither a version folder/),
    });
    await registry.close();
  });

  it('keeps the old version when a reload fails, says why once, and serves the next good version', async () => {
    const { root, registry, logs } = setup();
    await registry.load('toy');
    publishDamaged(root, 'toy', 'v3', toy, 'flipped byte');
    promote(root, 'toy', 'v3');
    await registry.check('toy', 'poll');
    await registry.check('toy', 'poll'); // the same broken files are not tried again
    expect(registry.served('toy')?.ref.version).toBe('v1');
    expect((await registry.run('toy', 'classify', 'refund')).net.version).toBe('v1');
    const failures = logs.filter((l) => l.msg === 'model_reload_failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ net: 'toy', version: 'v3', serving: 'v1', trigger: 'poll' });
    expect(failures[0]!.reason).toMatch(/weights\.bin does not match its SHA-256/);
    expect(registry.failure('toy')).toMatchObject({ version: 'v3' });
    promote(root, 'toy', 'v2');
    await registry.check('toy', 'poll');
    expect(registry.served('toy')?.ref.version).toBe('v2');
    expect(registry.failure('toy')).toBeUndefined();
    expect(logs.at(-1)).toMatchObject({ msg: 'model_reloaded', net: 'toy', version: 'v2', previous: 'v1' });
    await registry.close();
  });

  it('returns live tensors to their baseline after many requests and reloads', async () => {
    // Room for one toy net and a half: each good reload evicts the version before it.
    const { root, registry } = setup(Math.floor(toyBytes * 1.5));
    await registry.load('toy');
    const baseline = tf.memory().numTensors;
    publishDamaged(root, 'toy', 'bad', toy, 'NaN weight');
    for (const version of ['v2', 'bad', 'v1', 'v2', 'bad', 'v1']) {
      const traffic = Array.from({ length: 100 }, (_, i) => registry.run('toy', 'classify', TEXTS[i % 5]!));
      promote(root, 'toy', version);
      await registry.reload('toy', 'admin');
      await Promise.all(traffic);
    }
    expect(registry.served('toy')?.ref.version).toBe('v1');
    expect(tf.memory().numTensors).toBe(baseline);
    await registry.close();
  });

  it('picks up a replaced CURRENT by polling alone, where file events are not seen', async () => {
    const { root, registry } = setup();
    await registry.load('toy');
    const watcher = watchCurrent({ registry, pollMs: 50, watch: false, logger: createLogger('silent') });
    try {
      promote(root, 'toy', 'v2');
      await waitFor(() => registry.served('toy')?.ref.version === 'v2', 2000, 'the poll to reload');
    } finally {
      watcher.close();
      await registry.close();
    }
  });

  it('picks up a replaced CURRENT from the file watch, with the poll off', async () => {
    const { root, registry } = setup();
    await registry.load('toy');
    const watcher = watchCurrent({ registry, pollMs: 0, logger: createLogger('silent') });
    try {
      promote(root, 'toy', 'v2');
      await waitFor(() => registry.served('toy')?.ref.version === 'v2', 2000, 'the watch to reload');
    } finally {
      watcher.close();
      await registry.close();
    }
  });
});
