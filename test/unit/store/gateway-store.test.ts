import { describe, expect, it } from 'vitest';
import type { ProcessingOutcome } from '../../../src/core/conversation-port.js';
import type { InboundMessage } from '../../../src/core/ports.js';
import { createStore, openDatabase } from '../../../src/store/sqlite.js';

const clock = { now: () => 1_700_000_000_000 };
const msg = (deliveryId: string, chatId: string): InboundMessage => ({
  bot: 'b',
  channel: 'telegram',
  deliveryId,
  chatId,
  text: 'hello',
  replyContext: { chatId: Number(chatId) },
});

describe('job queue order', () => {
  it('processes one conversation’s messages one at a time, in order, and other conversations beside them', async () => {
    const store = createStore(openDatabase(':memory:'), clock);
    const a1 = await store.inbox.accept(msg('1', '10'), 'process_message');
    const a2 = await store.inbox.accept(msg('2', '10'), 'process_message');
    const b1 = await store.inbox.accept(msg('3', '20'), 'process_message');
    expect((await store.jobs.claimDue(10)).map((j) => j.id)).toEqual([a1.jobId, b1.jobId]);
    expect(await store.jobs.claimDue(10)).toEqual([]);
    await store.jobs.fail(a1.jobId!, 'nets down', clock.now() + 1000);
    expect(await store.jobs.claimDue(10)).toEqual([]); // a2 waits for a1's retry
    await store.jobs.complete((await store.jobs.claim(a1.jobId!))!.id);
    expect((await store.jobs.claimDue(10)).map((j) => j.id)).toEqual([a2.jobId]);
  });
});

describe('conversations store', () => {
  const outcome = async (store: ReturnType<typeof createStore>): Promise<ProcessingOutcome> => {
    const accepted = await store.inbox.accept(msg('9', '90'), 'process_message');
    return {
      messageId: accepted.messageId,
      conversationId: accepted.conversationId,
      bot: 'b',
      channel: 'telegram',
      jobId: accepted.jobId,
      decision: {
        action: 'handoff',
        reason: 'low_confidence',
        category: 'card_arrival',
        confidence: 0.4,
        suggestions: [{ answerId: 1, text: 'a', score: 0.5, category: 'card_arrival' }],
        queue: 'cards',
        replyText: 'wait',
        language: 'en',
      },
      predictions: [
        {
          messageId: accepted.messageId,
          kind: 'classify',
          netName: 'c',
          netVersion: 'v1',
          label: 'card_arrival',
          confidence: 0.4,
          top: [],
          latencyMs: 1,
        },
      ],
      conversation: { status: 'queued', queue: 'cards', language: 'en' },
      replies: [
        {
          action: { kind: 'handoff', text: 'wait', queue: 'cards' },
          author: 'bot',
          visible: true,
          sends: [{ kind: 'sendMessage', payload: { chat_id: 90, text: 'wait' } }],
        },
      ],
    };
  };

  it('commits a decision, its reply, its outbox item and the job’s completion together', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clock);
    const o = await outcome(store);
    const ids = await store.conversations.recordOutcome(o);
    const view = (await store.conversations.ticket(o.messageId))!;
    expect(view.decision).toMatchObject({ action: 'handoff', queue: 'cards' });
    expect(view.conversation).toMatchObject({
      status: 'queued',
      queue: 'cards',
      category: 'card_arrival',
      confidence: 0.4,
    });
    expect(view.replies.map((r) => [r.author, r.text])).toEqual([['bot', 'wait']]);
    expect(await store.outbox.claimDue(10)).toEqual([
      expect.objectContaining({ id: ids.outboxIds[0], messageId: ids.messageIds[0], kind: 'sendMessage' }),
    ]);
    expect(db.prepare('SELECT status FROM jobs').get()).toEqual({ status: 'done' });
  });

  it('commits nothing when any part fails', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clock);
    const o = await outcome(store);
    db.exec("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(store.conversations.recordOutcome(o)).rejects.toThrow(/disk full/);
    const n = db
      .prepare(
        "SELECT (SELECT COUNT(*) FROM decisions) + (SELECT COUNT(*) FROM predictions) + (SELECT COUNT(*) FROM messages WHERE direction = 'out') AS n",
      )
      .get();
    expect(n).toEqual({ n: 0 });
    expect(db.prepare('SELECT status FROM conversations').get()).toEqual({ status: 'bot' });
  });

  it('marks a conversation taken when an operator writes on the platform', async () => {
    const store = createStore(openDatabase(':memory:'), clock);
    const c = await store.conversations.ensureConversation({ bot: 'b', channel: 'chatwoot', chatId: '1:5' });
    await store.conversations.recordOperatorMessage(c.id, 'hi, Anna here', 'Anna', '77');
    expect(await store.conversations.getConversation(c.id)).toMatchObject({
      status: 'assigned',
      assignedOperator: 'Anna',
    });
    expect(
      (await store.conversations.listMessages(c.id)).map((m) => [m.author, m.operator, m.externalId]),
    ).toEqual([['operator', 'Anna', '77']]);
  });
});
