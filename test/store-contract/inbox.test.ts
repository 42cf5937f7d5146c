import { expect, it } from 'vitest';
import type { AcceptResult } from '../../src/core/ports.js';
import { describeEachStore } from './engines.js';
import { inbound } from './messages.js';

describeEachStore('inbox', (t) => {
  it('stores a delivery with its conversation, message and job', async () => {
    const { store } = t();
    const r = await store.inbox.accept(
      inbound('1', '10', { text: 'Где мой заказ?', language: 'ru' }),
      'process_message',
    );
    expect(r.duplicate).toBe(false);
    expect(r.jobId).toBeGreaterThan(0);
    const loaded = await store.conversations.loadMessage(r.messageId);
    expect(loaded?.message).toMatchObject({ direction: 'in', author: 'customer', text: 'Где мой заказ?' });
    expect(loaded?.conversation).toMatchObject({
      id: r.conversationId,
      chatId: '10',
      customerName: 'Анна',
      language: 'ru',
      status: 'bot',
      replyContext: { chatId: 10 },
      createdAt: t().clock.now(),
    });
    const jobs = await store.jobs.claimDue(10);
    expect(jobs).toEqual([
      {
        id: r.jobId,
        kind: 'process_message',
        payload: { messageId: r.messageId, conversationId: r.conversationId, bot: 'desk' },
        attempts: 1,
      },
    ]);
  });

  it('dedupes a replayed delivery: the first one’s ids, nothing stored twice, no second job', async () => {
    const { store, count } = t();
    const first = await store.inbox.accept(inbound('42', '10'), 'process_message');
    const replay = await store.inbox.accept(
      inbound('42', '10', { text: 'changed on replay' }),
      'process_message',
    );
    expect(replay).toEqual({
      duplicate: true,
      conversationId: first.conversationId,
      messageId: first.messageId,
    });
    expect(await store.conversations.listMessages(first.conversationId)).toHaveLength(1);
    expect(await count('jobs')).toBe(1);
    // The key is (channel, bot, delivery id): the same id from another bot is another delivery.
    const otherBot = await store.inbox.accept(inbound('42', '10', { bot: 'shop' }), 'process_message');
    expect(otherBot.duplicate).toBe(false);
    const otherChannel = await store.inbox.accept(inbound('42', '10', { channel: 'vk' }), 'process_message');
    expect(otherChannel.duplicate).toBe(false);
  });

  it('dedupes a delivery that reaches two instances at once', async () => {
    const { store, other, count } = t();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? other : store).inbox.accept(inbound('7', '70'), 'process_message'),
      ),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await count('messages')).toBe(1);
    expect(await count('jobs')).toBe(1);
  });

  it('stores a message with a NUL character in it rather than failing the delivery', async () => {
    const { store } = t();
    const r = await store.inbox.accept(
      inbound('1', '10', { text: 'до\u0000после', customerName: 'A\u0000' }),
      'process_message',
    );
    const loaded = await store.conversations.loadMessage(r.messageId);
    // SQLite keeps the NUL; PostgreSQL's text cannot hold one and keeps U+FFFD in its place.
    expect(['до\u0000после', 'до\uFFFDпосле']).toContain(loaded?.message.text);
    expect(['A\u0000', 'A\uFFFD']).toContain(loaded?.conversation.customerName);
  });

  it('keeps one conversation per chat, reopens a resolved one and keeps what it knew', async () => {
    const { store } = t();
    const a = await store.inbox.accept(inbound('1', '10', { language: 'ru' }), 'process_message');
    await store.conversations.updateConversation(a.conversationId, { status: 'resolved' });
    const b = await store.inbox.accept(inbound('2', '10', { customerName: undefined, language: undefined }));
    expect(b.conversationId).toBe(a.conversationId);
    expect(b.jobId).toBeUndefined();
    const c = await store.conversations.getConversation(a.conversationId);
    expect(c).toMatchObject({ status: 'bot', customerName: 'Анна', language: 'ru' });
  });

  it('accepts many deliveries in one call, each with its own result, a bad one failing alone', async () => {
    const { store, count } = t();
    const results = await store.inbox.acceptMany([
      { message: inbound('1', '10'), jobKind: 'process_message' },
      { message: inbound('2', '20'), jobKind: 'process_message' },
      // Text is required: this entry fails, the others are stored.
      { message: inbound('3', '30', { text: null as unknown as string }), jobKind: 'process_message' },
      { message: inbound('1', '10'), jobKind: 'process_message' }, // a replay inside the batch
      { message: inbound('4', '10'), jobKind: 'process_message' },
    ]);
    expect(results[2]).toBeInstanceOf(Error);
    const ok = results.filter((r): r is AcceptResult => !(r instanceof Error));
    expect(ok).toHaveLength(4);
    const [r1, r2, , replay, r4] = results as AcceptResult[];
    expect(r1!.duplicate).toBe(false);
    expect(r2!.duplicate).toBe(false);
    expect(replay).toEqual({ duplicate: true, conversationId: r1!.conversationId, messageId: r1!.messageId });
    expect(r4!.conversationId).toBe(r1!.conversationId);
    expect(r4!.messageId).toBeGreaterThan(r1!.messageId);
    expect(await store.conversations.findConversation('desk', 'telegram', '30')).toBeUndefined();
    expect(await count('messages')).toBe(3);
    expect(await count('jobs')).toBe(3);
    // The failed delivery was not recorded: when the platform retries it, it is stored.
    const retried = await store.inbox.accept(inbound('3', '30'), 'process_message');
    expect(retried.duplicate).toBe(false);
  });

  it('accepts batches from two instances sharing conversations, none lost or doubled', async () => {
    const { store, other, count } = t();
    const batch = (from: number) =>
      Array.from({ length: 20 }, (_, i) => ({
        message: inbound(`d${from + i}`, String((from + i) % 4)),
        jobKind: 'process_message',
      }));
    const [a, b, c, d] = await Promise.all([
      store.inbox.acceptMany(batch(0)),
      other.inbox.acceptMany(batch(20).reverse()),
      store.inbox.acceptMany(batch(40)),
      other.inbox.acceptMany(batch(0)), // replays of the first batch
    ]);
    for (const r of [...a!, ...b!, ...c!, ...d!]) expect(r).not.toBeInstanceOf(Error);
    expect(await count('messages')).toBe(60);
    expect(await count('jobs')).toBe(60);
    expect(await count('conversations')).toBe(4);
  });
});
