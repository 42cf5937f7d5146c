import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../../src/nets/runtime/micro-batcher.js';

/** A batch function that records each batch and answers each item with its double. */
function recorder() {
  const batches: Array<{ key: string; items: number[] }> = [];
  const fn = async (key: string, items: number[]) => {
    batches.push({ key, items: [...items] });
    return items.map((n) => n * 2);
  };
  return { batches, fn };
}

describe('micro-batcher', () => {
  it('coalesces concurrent calls into one batch and gives each caller its own result', async () => {
    const r = recorder();
    const b = new MicroBatcher({ maxSize: 32, maxWaitMs: 2 }, r.fn);
    const out = await Promise.all([1, 2, 3, 4, 5].map((n) => b.submit('net@v1#classify', n)));
    expect(out).toEqual([2, 4, 6, 8, 10]);
    expect(r.batches).toEqual([{ key: 'net@v1#classify', items: [1, 2, 3, 4, 5] }]);
  });

  it('sends a full batch at once and never mixes keys', async () => {
    const r = recorder();
    const b = new MicroBatcher({ maxSize: 3, maxWaitMs: 200 }, r.fn);
    const full = Promise.all([1, 2, 3].map((n) => b.submit('a', n)));
    const other = b.submit('b', 9);
    // The full batch left without waiting for the timer; the other key still waits.
    expect(await full).toEqual([2, 4, 6]);
    expect(r.batches).toEqual([{ key: 'a', items: [1, 2, 3] }]);
    expect(b.waiting).toBe(1);
    expect(await other).toBe(18);
    expect(r.batches[1]).toEqual({ key: 'b', items: [9] });
  });

  it('sends a partial batch after the wait', async () => {
    const r = recorder();
    const b = new MicroBatcher({ maxSize: 100, maxWaitMs: 5 }, r.fn);
    const started = performance.now();
    expect(await b.submit('a', 21)).toBe(42);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
    expect(r.batches).toHaveLength(1);
  });

  it('runs every call alone when the batch size is 1 (batching off)', async () => {
    const r = recorder();
    const b = new MicroBatcher({ maxSize: 1, maxWaitMs: 5 }, r.fn);
    await Promise.all([1, 2, 3].map((n) => b.submit('a', n)));
    expect(r.batches.map((x) => x.items)).toEqual([[1], [2], [3]]);
  });

  it('rejects every caller of a batch that failed, and later batches still run', async () => {
    let fail = true;
    const b = new MicroBatcher<number, number>({ maxSize: 10, maxWaitMs: 1 }, async (_k, items) => {
      if (fail) throw new Error('thread stopped');
      return items;
    });
    const results = await Promise.allSettled([b.submit('a', 1), b.submit('a', 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.submit('a', 3)).toBe(3);
  });

  it('keeps a due batch filling while the runner is busy, and sends it when the runner has room', async () => {
    const r = recorder();
    let busy = true;
    const b = new MicroBatcher({ maxSize: 50, maxWaitMs: 1 }, r.fn, { busy: () => busy });
    const first = [1, 2].map((n) => b.submit('a', n));
    await new Promise((res) => setTimeout(res, 5)); // due, but held
    const later = [3, 4].map((n) => b.submit('a', n));
    expect(r.batches).toEqual([]);
    busy = false;
    b.kick();
    expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8]);
    expect(r.batches).toEqual([{ key: 'a', items: [1, 2, 3, 4] }]);
  });

  it('sends a held batch after a bounded delay even if the runner never says it has room', async () => {
    const r = recorder();
    const b = new MicroBatcher({ maxSize: 50, maxWaitMs: 1 }, r.fn, { busy: () => true });
    const started = performance.now();
    expect(await b.submit('a', 5)).toBe(10);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('reports the size of every batch', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher({ maxSize: 2, maxWaitMs: 1 }, recorder().fn, {
      onBatch: (n) => sizes.push(n),
    });
    await Promise.all([1, 2, 3].map((n) => b.submit('a', n)));
    expect(sizes).toEqual([2, 1]);
  });
});
