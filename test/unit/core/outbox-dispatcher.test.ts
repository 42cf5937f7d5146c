import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../../src/core/backoff.js';
import { InProcessEventBus } from '../../../src/core/events.js';
import { OutboxDispatcher } from '../../../src/core/outbox-dispatcher.js';
import type { OutboxItem } from '../../../src/core/ports.js';
import type { ChannelOutbound, SendOutcome } from '../../../src/core/replies.js';
import { createLogger } from '../../../src/logger.js';
import { createStore, openDatabase } from '../../../src/store/sqlite.js';
import { waitFor } from '../../helpers/wait.js';

const logger = createLogger('silent');

function setup(
  outcomes: (item: OutboxItem, n: number) => SendOutcome | Promise<SendOutcome>,
  maxAttempts = 3,
) {
  let t = 1_000_000;
  const clock = { now: () => t };
  const store = createStore(openDatabase(':memory:'), clock);
  const sends: OutboxItem[] = [];
  const outbound: ChannelOutbound = {
    channel: 'slack',
    plan: () => [],
    send: async (item) => {
      sends.push(item);
      return outcomes(item, sends.filter((s) => s.id === item.id).length);
    },
  };
  const events = new InProcessEventBus();
  const make = () =>
    new OutboxDispatcher({
      outbox: store.outbox,
      outbounds: new Map([['slack', outbound]]),
      events,
      clock,
      logger,
      backoff: { baseMs: 1000, maxMs: 60_000 },
      maxAttempts,
      concurrency: 4,
      pollMs: 5,
      random: () => 0.5,
    });
  return { store, sends, make, advance: (ms: number) => (t += ms), events };
}

const enqueue = (store: ReturnType<typeof createStore>, n = 1) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.outbox.enqueue({ channel: 'slack', bot: 'b', kind: 'chat.postMessage', payload: { i } }),
    ),
  );

describe('retry backoff', () => {
  it('doubles from the base up to the cap, with half of it jittered', () => {
    const o = { baseMs: 1000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelay(a, o, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(retryDelay(1, o, () => 0)).toBe(500);
  });
});

describe('outbox dispatcher', () => {
  it('retries a failed send only when its backoff is due, and marks it sent once it succeeds', async () => {
    const { store, sends, make, advance } = setup((_i, n) =>
      n < 2 ? { status: 'retry', error: 'HTTP 503' } : { status: 'sent' },
    );
    const [id] = await enqueue(store);
    const d = make();
    d.start();
    await waitFor(() => sends.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(sends).toHaveLength(1); // not due yet: the clock has not moved
    advance(749);
    await new Promise((r) => setTimeout(r, 30));
    expect(sends).toHaveLength(1); // 0.75 s is the jittered first delay
    advance(1);
    await waitFor(async () => (await store.outbox.counts()).sent === 1);
    expect(sends.map((s) => s.id)).toEqual([id, id]);
    await d.stop();
  });

  it('honours a platform’s Retry-After when it is longer than the backoff', async () => {
    const { store, sends, make, advance } = setup((_i, n) =>
      n < 2 ? { status: 'retry', error: '429', retryAfterMs: 30_000 } : { status: 'sent' },
    );
    await enqueue(store);
    const d = make();
    d.start();
    await waitFor(() => sends.length === 1);
    advance(29_999);
    await new Promise((r) => setTimeout(r, 30));
    expect(sends).toHaveLength(1);
    advance(1);
    await waitFor(async () => (await store.outbox.counts()).sent === 1);
    await d.stop();
  });

  it('dead-letters after the last attempt, and at once on a permanent failure', async () => {
    const { store, sends, make, advance } = setup((item) =>
      (item.payload as { i: number }).i === 0
        ? { status: 'retry', error: 'down' }
        : { status: 'failed', error: 'HTTP 400' },
    );
    const d = make();
    await enqueue(store, 2);
    d.start();
    for (let i = 0; i < 3; i++) {
      await waitFor(() => sends.length >= i + 2);
      advance(120_000);
    }
    await waitFor(async () => (await store.outbox.counts()).dead === 2);
    expect(sends.filter((s) => (s.payload as { i: number }).i === 0)).toHaveLength(3);
    expect(sends.filter((s) => (s.payload as { i: number }).i === 1)).toHaveLength(1);
    await d.stop();
  });

  it('sends each reply once even with two dispatchers on the same outbox', async () => {
    const { store, sends, make } = setup(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { status: 'sent' };
    });
    const ids = await enqueue(store, 40);
    const a = make();
    const b = make();
    a.start();
    b.start();
    await waitFor(async () => (await store.outbox.counts()).sent === 40);
    await Promise.all([a.stop(), b.stop()]);
    expect(sends.map((s) => s.id).sort((x, y) => x - y)).toEqual(ids);
  });

  it('waits for a send in progress when stopped', async () => {
    let finish!: () => void;
    const { store, make } = setup(
      () => new Promise<SendOutcome>((r) => (finish = () => r({ status: 'sent' }))),
    );
    await enqueue(store);
    const d = make();
    d.start();
    await waitFor(() => finish !== undefined);
    let stopped = false;
    const stopping = d.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect((await store.outbox.counts()).sent).toBe(1);
  });
});
