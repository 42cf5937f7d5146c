import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/ports.js';
import { createLogger } from '../../../src/logger.js';
import { initBackend } from '../../../src/nets/backend.js';
import { LocalExecutor, type NetExecutor } from '../../../src/nets/runtime/executor.js';
import { NetHost } from '../../../src/nets/runtime/net-host.js';
import { NetRegistry } from '../../../src/nets/runtime/net-registry.js';
import { WorkerExecutor } from '../../../src/nets/runtime/worker-executor.js';
import { parseCsv } from '../../../training/data.js';

// BANKING77 test texts of every length, through the committed default net.
const TEXTS = parseCsv(readFileSync('training/data/banking77/test.csv', 'utf8'))
  .slice(1)
  .filter((_, i) => i % 32 === 0)
  .map((row) => row[0]!);
const MB = 1024 ** 2;

/** Wraps an executor to record the size of every batch that reaches it. */
function counting(executor: NetExecutor): { executor: NetExecutor; sizes: number[] } {
  const sizes: number[] = [];
  const run = executor.run.bind(executor);
  executor.run = (ref, op, texts) => {
    sizes.push(texts.length);
    return run(ref, op, texts);
  };
  return { executor, sizes };
}

const registry = (executor: NetExecutor, maxSize: number) =>
  new NetRegistry({
    root: 'nets',
    executor,
    batching: { maxSize, maxWaitMs: 2 },
    logger: createLogger('silent'),
    clock: systemClock,
  });

let host: NetHost;
let oneByOne: Float32Array[];

beforeAll(async () => {
  await initBackend('wasm');
  host = new NetHost({ maxBytes: 256 * MB });
  const unbatched = registry(new LocalExecutor(host), 1);
  oneByOne = [];
  for (const text of TEXTS) oneByOne.push((await unbatched.run('bank-classifier', 'classify', text)).row);
});
afterAll(() => host.clear());

describe('micro-batched inference', () => {
  it('gives concurrent batched calls exactly the outputs of one-by-one calls', async () => {
    expect(TEXTS.length).toBeGreaterThan(90);
    const { executor, sizes } = counting(new LocalExecutor(host));
    const batched = registry(executor, 32);
    const outs = await Promise.all(TEXTS.map((t) => batched.run('bank-classifier', 'classify', t)));
    expect(sizes.length).toBeLessThan(TEXTS.length / 8);
    expect(Math.max(...sizes)).toBe(32);
    outs.forEach((o, i) => {
      expect(Array.from(o.row)).toEqual(Array.from(oneByOne[i]!));
    });
  });

  it('gives each text batched with others exactly the two-tower vectors it gets alone', async () => {
    const unbatched = registry(new LocalExecutor(host), 1);
    const { executor, sizes } = counting(new LocalExecutor(host));
    const batched = registry(executor, 32);
    for (const op of ['embedQuestion', 'embedAnswer']) {
      const alone: number[][] = [];
      for (const t of TEXTS) alone.push(Array.from((await unbatched.run('bank-qa', op, t)).row));
      sizes.length = 0;
      const outs = await Promise.all(TEXTS.map((t) => batched.run('bank-qa', op, t)));
      expect(Math.max(...sizes)).toBe(32);
      outs.forEach((o, i) => {
        expect(o.net.name).toBe('bank-qa');
        expect(Array.from(o.row)).toEqual(alone[i]);
      });
    }
  });

  it('gives the same outputs from an inference thread as in the main thread, and survives its death', async () => {
    const threads = new WorkerExecutor({ threads: 1, maxBytes: 256 * MB, backend: 'wasm' });
    try {
      const inThread = registry(threads, 32);
      const outs = await Promise.all(TEXTS.map((t) => inThread.run('bank-classifier', 'classify', t)));
      outs.forEach((o, i) => {
        expect(Array.from(o.row)).toEqual(Array.from(oneByOne[i]!));
      });
      // A thread that dies fails its batches with 503 not_ready and is replaced on the next call.
      const slots = (threads as unknown as { slots: Array<{ worker: Worker } | undefined> }).slots;
      const pending = inThread.run('bank-classifier', 'classify', TEXTS[0]!);
      const busy = inThread.runMany('bank-classifier', 'classify', [...TEXTS, ...TEXTS, ...TEXTS]);
      await new Promise((r) => setTimeout(r, 5)); // both are in the thread now
      await slots[0]!.worker.terminate();
      await expect(pending).rejects.toMatchObject({ code: 'not_ready' });
      await expect(busy).rejects.toThrow(/inference thread stopped/);
      expect(Array.from((await inThread.run('bank-classifier', 'classify', TEXTS[1]!)).row)).toEqual(
        Array.from(oneByOne[1]!),
      );
      const [stats] = await threads.stats();
      expect(stats!.nets).toEqual([
        expect.objectContaining({ name: 'bank-classifier', bytes: expect.any(Number), inFlight: 0 }),
      ]);
    } finally {
      await threads.close();
    }
  });
});
