import { expect, it } from 'vitest';
import type { NewOutboxItem, OutboxItem } from '../../src/core/ports.js';
import { type ContractStore, describeEachStore, LEASE_MS } from './engines.js';

const reply = (conversationId: number | null, text: string): NewOutboxItem => ({
  conversationId,
  messageId: null,
  channel: 'telegram',
  bot: 'desk',
  kind: 'message',
  payload: { text, chatId: 10 },
});

const chat = async (s: ContractStore, chatId: string) =>
  (await s.conversations.ensureConversation({ bot: 'desk', channel: 'telegram', chatId })).id;

const ids = (items: OutboxItem[]) => items.map((i) => i.id);

describeEachStore('outbox', (t, engine) => {
  it('enqueues, claims, marks sent and counts', async () => {
    const { store } = t();
    const c = await chat(store, '10');
    const id = await store.outbox.enqueue(reply(c, 'Здравствуйте!'));
    expect(await store.outbox.counts()).toEqual({ pending: 1, sending: 0, sent: 0, dead: 0 });
    const claimed = await store.outbox.claimDue(10);
    expect(claimed).toEqual([
      {
        id,
        conversationId: c,
        messageId: null,
        channel: 'telegram',
        bot: 'desk',
        kind: 'message',
        payload: { text: 'Здравствуйте!', chatId: 10 },
        attempts: 1,
      },
    ]);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 1, sent: 0, dead: 0 });
    await store.outbox.markSent(id);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 1, dead: 0 });
    expect(await store.outbox.claimDue(10)).toEqual([]);
  });

  it('retries a failed reply when due, keeping the conversation’s later replies behind it, then dead-letters it', async () => {
    const { store, clock } = t();
    const c = await chat(store, '10');
    const first = await store.outbox.enqueue(reply(c, 'first'));
    const second = await store.outbox.enqueue(reply(c, 'second'));
    const loose = await store.outbox.enqueue(reply(null, 'no conversation'));
    expect(ids(await store.outbox.claimDue(10))).toEqual([first, loose]);
    await store.outbox.markFailed(first, 'HTTP 502', clock.now() + 5000);
    await store.outbox.markSent(loose);
    expect(await store.outbox.claimDue(10)).toEqual([]); // second never overtakes first
    clock.advance(5000);
    expect(await store.outbox.claimDue(10)).toEqual([expect.objectContaining({ id: first, attempts: 2 })]);
    await store.outbox.markFailed(first, 'HTTP 403', null);
    expect(await store.outbox.counts()).toEqual({ pending: 1, sending: 0, sent: 1, dead: 1 });
    expect(ids(await store.outbox.claimDue(10))).toEqual([second]);
  });

  it('holds a claimed reply from another instance until its lease passes', async () => {
    const { store, other, clock } = t();
    const id = await store.outbox.enqueue(reply(await chat(store, '10'), 'hi'));
    expect(ids(await store.outbox.claimDue(10))).toEqual([id]);
    expect(await other.outbox.claimDue(10)).toEqual([]);
    clock.advance(LEASE_MS - 1);
    expect(await other.outbox.claimDue(10)).toEqual([]);
    clock.advance(1);
    if (engine.leases) {
      // Same id on the retry: the platform sees the same idempotency key.
      expect(await other.outbox.claimDue(10)).toEqual([expect.objectContaining({ id, attempts: 2 })]);
      await store.outbox.markFailed(id, 'late failure of instance 1', clock.now());
      expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 1, sent: 0, dead: 0 });
      await other.outbox.markSent(id);
      expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 1, dead: 0 });
    } else {
      expect(await other.outbox.claimDue(10)).toEqual([]);
    }
  });

  it('requeues at start the replies a dead instance left sending', async () => {
    const { store, other, clock } = t();
    const id = await store.outbox.enqueue(reply(null, 'hi'));
    await store.outbox.claimDue(10);
    if (engine.leases) {
      expect(await other.outbox.requeueSending()).toBe(0);
      clock.advance(LEASE_MS);
    }
    expect(await other.outbox.requeueSending()).toBe(1);
    expect(await other.outbox.claimDue(10)).toEqual([expect.objectContaining({ id, attempts: 2 })]);
  });

  it('never gives two concurrent claimers the same reply, and sends each conversation’s replies in order', async () => {
    const { store, other } = t();
    const convs: number[] = [];
    for (let i = 0; i < 20; i++) convs.push(await chat(store, String(i)));
    const total = 200;
    for (let i = 0; i < total; i++) await store.outbox.enqueue(reply(convs[i % convs.length]!, `r${i}`));
    const claimed: number[] = [];
    const order = new Map<number, number[]>();
    const worker = async (s: ContractStore) => {
      let idle = 0;
      while (claimed.length < total && idle < 200) {
        const items = await s.outbox.claimDue(4);
        if (items.length === 0) {
          idle++;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        idle = 0;
        for (const item of items) {
          claimed.push(item.id);
          order.set(item.conversationId!, [...(order.get(item.conversationId!) ?? []), item.id]);
        }
        for (const item of items) await s.outbox.markSent(item.id);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i % 2 ? other : store)));
    expect(claimed).toHaveLength(total);
    expect(new Set(claimed).size).toBe(total);
    for (const seq of order.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b));
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: total, dead: 0 });
  });
});
