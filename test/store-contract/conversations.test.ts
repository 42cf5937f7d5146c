import { expect, it } from 'vitest';
import type { OperatorActionRecord, ProcessingOutcome } from '../../src/core/conversation-port.js';
import type { AcceptResult } from '../../src/core/ports.js';
import { type ContractStore, describeEachStore } from './engines.js';
import { inbound } from './messages.js';

const accept = async (s: ContractStore, delivery: string, chat: string, text = 'Карта не пришла') =>
  (await s.inbox.accept(inbound(delivery, chat, { text }), 'process_message')) as AcceptResult & {
    jobId: number;
  };

function outcome(a: AcceptResult, extra: Partial<ProcessingOutcome> = {}): ProcessingOutcome {
  return {
    messageId: a.messageId,
    conversationId: a.conversationId,
    bot: 'desk',
    channel: 'telegram',
    jobId: a.jobId,
    decision: {
      action: 'handoff',
      reason: 'low_confidence',
      category: 'card_arrival',
      confidence: 0.4,
      suggestions: [
        {
          answerId: 11,
          text: 'Карта придёт через 3 дня',
          score: 0.5,
          category: 'card_arrival',
          language: 'ru',
        },
      ],
      queue: 'cards',
      replyText: 'Передаю оператору',
      language: 'ru',
    },
    predictions: [
      {
        messageId: a.messageId,
        kind: 'classify',
        netName: 'classifier',
        netVersion: 'v3',
        label: 'card_arrival',
        confidence: 0.4,
        top: [{ category: 'card_arrival', confidence: 0.4 }],
        latencyMs: 2.5,
      },
    ],
    conversation: { status: 'queued', queue: 'cards', language: 'ru' },
    replies: [
      {
        action: { kind: 'handoff', text: 'Передаю оператору', queue: 'cards' },
        author: 'bot',
        visible: true,
        sends: [{ kind: 'sendMessage', payload: { chat_id: 10, text: 'Передаю оператору' } }],
      },
    ],
    ...extra,
  };
}

const action = (
  conversationId: number,
  kind: OperatorActionRecord['action'],
  extra: Partial<OperatorActionRecord> = {},
): OperatorActionRecord => ({
  conversationId,
  messageId: null,
  operator: 'anna',
  action: kind,
  category: 'card_arrival',
  answerId: null,
  text: null,
  predictionIds: [],
  netVersions: { classifier: 'classifier@v3' },
  ...extra,
});

describeEachStore('conversations', (t) => {
  it('commits a decision, its reply, its outbox item and the job’s completion together', async () => {
    const { store, count, clock } = t();
    const a = await accept(store, '1', '10');
    await store.jobs.claimDue(10);
    clock.advance(5);
    const ids = await store.conversations.recordOutcome(outcome(a));
    expect(ids.messageIds).toHaveLength(1);
    const view = await store.conversations.ticket(a.messageId);
    expect(view?.decision).toEqual({
      action: 'handoff',
      reason: 'low_confidence',
      category: 'card_arrival',
      confidence: 0.4,
      suggestions: [
        {
          answerId: 11,
          text: 'Карта придёт через 3 дня',
          score: 0.5,
          category: 'card_arrival',
          language: 'ru',
        },
      ],
      queue: 'cards',
      replyText: 'Передаю оператору',
      language: 'ru',
    });
    expect(view?.conversation).toMatchObject({
      status: 'queued',
      queue: 'cards',
      category: 'card_arrival',
      confidence: 0.4,
      language: 'ru',
      updatedAt: clock.now(),
    });
    expect(view?.replies.map((r) => [r.id, r.author, r.text, r.meta])).toEqual([
      [ids.messageIds[0], 'bot', 'Передаю оператору', { kind: 'handoff' }],
    ]);
    expect(await store.outbox.claimDue(10)).toEqual([
      expect.objectContaining({ id: ids.outboxIds[0], messageId: ids.messageIds[0], kind: 'sendMessage' }),
    ]);
    expect(await store.jobs.claimDue(10)).toEqual([]);
    expect(await count('predictions')).toBe(1);
    // A message the bot wrote is not a ticket.
    expect(await store.conversations.ticket(ids.messageIds[0]!)).toBeUndefined();
  });

  it('replaces the decision of a retried job, keeping a queue the outcome does not name', async () => {
    const { store, count } = t();
    const a = await accept(store, '1', '10');
    await store.conversations.recordOutcome(outcome(a));
    const retried = outcome(a, {
      decision: { ...outcome(a).decision, action: 'auto_reply', reason: 'confident', queue: null },
      conversation: { status: 'bot' },
      replies: [
        {
          action: { kind: 'message', text: 'Карта придёт через 3 дня' },
          author: 'bot',
          visible: true,
          sends: [
            { kind: 'sendMessage', payload: { chat_id: 10, text: 'Карта придёт через 3 дня' } },
            { kind: 'sendChatAction', payload: { chat_id: 10, action: 'typing' } },
          ],
        },
      ],
    });
    const ids = await store.conversations.recordOutcome(retried);
    const view = await store.conversations.ticket(a.messageId);
    expect(view?.decision).toMatchObject({ action: 'auto_reply', reason: 'confident' });
    expect(view?.conversation).toMatchObject({ status: 'bot', queue: 'cards' });
    expect(await count('decisions')).toBe(1);
    expect(ids.outboxIds).toHaveLength(2);
    expect(ids.outboxIds[0]).toBeLessThan(ids.outboxIds[1]!);
    expect(await count('outbox')).toBe(3);
  });

  it('commits nothing of an outcome when any part fails', async () => {
    const { store, count } = t();
    const a = await accept(store, '1', '10');
    const bad = outcome(a, { durable: true });
    bad.replies[0]!.sends = [{ kind: 'sendMessage', payload: { chat_id: 10n } }]; // cannot be stored as JSON
    await expect(store.conversations.recordOutcome(bad)).rejects.toThrow(/BigInt/);
    expect((await store.conversations.ticket(a.messageId))?.decision).toBeNull();
    expect(await store.conversations.getConversation(a.conversationId)).toMatchObject({
      status: 'bot',
      queue: null,
    });
    expect(await count('predictions')).toBe(0);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 0, dead: 0 });
    expect(await store.jobs.claimDue(10)).toEqual([expect.objectContaining({ id: a.jobId })]); // still to do
    // Durable or not, a good outcome commits.
    const ids = await store.conversations.recordOutcome(outcome(a, { durable: true }));
    expect(ids.outboxIds).toHaveLength(1);
  });

  it('stores an operator’s reply, the conversation’s change and the action together', async () => {
    const { store, count } = t();
    const a = await accept(store, '1', '10');
    const ids = await store.conversations.recordReplies(
      a.conversationId,
      [
        {
          action: {
            kind: 'message',
            text: 'Здравствуйте, это Анна',
            buttons: [{ text: 'Спасибо', action: 'thanks' }],
          },
          author: 'operator',
          operator: 'anna',
          visible: true,
          sends: [{ kind: 'sendMessage', payload: { chat_id: 10, text: 'Здравствуйте, это Анна' } }],
        },
      ],
      { status: 'assigned', assignedOperator: 'anna' },
      action(a.conversationId, 'reply', { messageId: a.messageId, text: 'Здравствуйте, это Анна' }),
    );
    const conv = await store.conversations.getConversation(a.conversationId);
    expect(conv).toMatchObject({ status: 'assigned', assignedOperator: 'anna' });
    const messages = await store.conversations.listMessages(a.conversationId);
    expect(messages.map((m) => [m.direction, m.author, m.operator, m.meta])).toEqual([
      ['in', 'customer', null, null],
      ['out', 'operator', 'anna', { kind: 'message', buttons: [{ text: 'Спасибо', action: 'thanks' }] }],
    ]);
    expect(ids.messageIds).toEqual([messages[1]!.id]);
    expect(await count('operator_actions')).toBe(1);
    // An action that cannot be stored takes its reply with it.
    await expect(
      store.conversations.recordReplies(
        a.conversationId,
        [
          {
            action: { kind: 'message', text: 'lost' },
            author: 'operator',
            operator: 'anna',
            visible: true,
            sends: [],
          },
        ],
        undefined,
        action(a.conversationId, 'reply', { messageId: 999_999 }),
      ),
    ).rejects.toThrow();
    expect(await store.conversations.listMessages(a.conversationId)).toHaveLength(2);
    await expect(store.conversations.recordReplies(999_999, [])).rejects.toThrow(/999999 does not exist/);
  });

  it('changes a conversation’s state with the operator’s action, and only an existing one', async () => {
    const { store, count, clock } = t();
    const a = await accept(store, '1', '10');
    clock.advance(1000);
    const changed = await store.conversations.updateConversation(
      a.conversationId,
      { status: 'queued', queue: 'vip', category: 'refund' },
      action(a.conversationId, 'correct_category', { category: 'refund' }),
    );
    expect(changed).toMatchObject({
      status: 'queued',
      queue: 'vip',
      category: 'refund',
      updatedAt: clock.now(),
    });
    // Omitted fields keep their value; null clears the operator and the queue.
    await store.conversations.updateConversation(a.conversationId, { assignedOperator: 'anna' });
    const cleared = await store.conversations.updateConversation(a.conversationId, {
      assignedOperator: null,
      queue: null,
    });
    expect(cleared).toMatchObject({
      status: 'queued',
      queue: null,
      assignedOperator: null,
      category: 'refund',
    });
    expect(await store.conversations.updateConversation(999_999, { status: 'resolved' })).toBeUndefined();
    expect(await count('operator_actions')).toBe(1);
  });

  it('gives a conversation to one of two operators taking it at once on two instances', async () => {
    const { store, other, count } = t();
    const a = await accept(store, '1', '10');
    const take = (s: ContractStore, login: string) =>
      s.conversations.updateConversation(
        a.conversationId,
        { status: 'assigned', assignedOperator: login, ifFreeFor: login },
        action(a.conversationId, 'take', { operator: login, messageId: a.messageId }),
      );
    const [ann, bob] = await Promise.all([take(store, 'ann'), take(other, 'bob')]);
    const holder = (await store.conversations.getConversation(a.conversationId))!.assignedOperator;
    expect(['ann', 'bob']).toContain(holder);
    // Both see who holds it; only the winner's action is stored.
    expect(ann?.assignedOperator).toBe(holder);
    expect(bob?.assignedOperator).toBe(holder);
    expect(await count('operator_actions')).toBe(1);
    // The holder may take it again; a colleague is still refused.
    expect((await take(other, holder!))?.assignedOperator).toBe(holder);
    const colleague = holder === 'ann' ? 'bob' : 'ann';
    expect((await take(store, colleague))?.assignedOperator).toBe(holder);
    expect(await count('operator_actions')).toBe(2);
  });

  it('marks a conversation taken when an operator writes on the platform', async () => {
    const { store } = t();
    const c = await store.conversations.ensureConversation({
      bot: 'desk',
      channel: 'chatwoot',
      chatId: '1:5',
    });
    const id = await store.conversations.recordOperatorMessage(c.id, 'hi, Anna here', 'Anna', '77');
    expect(await store.conversations.getConversation(c.id)).toMatchObject({
      status: 'assigned',
      assignedOperator: 'Anna',
    });
    expect(
      (await store.conversations.listMessages(c.id)).map((m) => [m.id, m.author, m.operator, m.externalId]),
    ).toEqual([[id, 'operator', 'Anna', '77']]);
  });

  it('finds or creates a chat’s conversation, keeping its reply context unless a new one comes', async () => {
    const { store } = t();
    const created = await store.conversations.ensureConversation({
      bot: 'desk',
      channel: 'slack',
      chatId: 'C1',
      customerName: 'Борис',
      replyContext: { team: 'T1' },
    });
    expect(created).toMatchObject({
      chatId: 'C1',
      customerName: 'Борис',
      status: 'bot',
      replyContext: { team: 'T1' },
    });
    const again = await store.conversations.ensureConversation({
      bot: 'desk',
      channel: 'slack',
      chatId: 'C1',
    });
    expect(again).toMatchObject({ id: created.id, replyContext: { team: 'T1' } });
    const moved = await store.conversations.ensureConversation({
      bot: 'desk',
      channel: 'slack',
      chatId: 'C1',
      replyContext: { team: 'T2' },
    });
    expect(moved.replyContext).toEqual({ team: 'T2' });
    expect(await store.conversations.findConversation('desk', 'slack', 'C1')).toEqual(moved);
    expect(await store.conversations.findConversation('desk', 'slack', 'C2')).toBeUndefined();
    expect(await store.conversations.getConversation(999_999)).toBeUndefined();
    expect(await store.conversations.loadMessage(999_999)).toBeUndefined();
  });

  it('lists messages after an id, oldest first, a page at a time', async () => {
    const { store } = t();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await accept(store, `d${i}`, '10', `m${i}`)).messageId);
    const conv = (await store.conversations.findConversation('desk', 'telegram', '10'))!;
    expect((await store.conversations.listMessages(conv.id)).map((m) => m.text)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
    expect((await store.conversations.listMessages(conv.id, ids[1], 2)).map((m) => m.id)).toEqual([
      ids[2],
      ids[3],
    ]);
  });

  it('finds a suggestion among the conversation’s recent decisions', async () => {
    const { store } = t();
    const a = await accept(store, '1', '10');
    await store.conversations.recordOutcome(outcome(a));
    expect(await store.conversations.findSuggestion(a.conversationId, 11)).toMatchObject({
      answerId: 11,
      text: 'Карта придёт через 3 дня',
    });
    expect(await store.conversations.findSuggestion(a.conversationId, 12)).toBeUndefined();
  });

  it('records predictions with the net’s name and version', async () => {
    const { store, count } = t();
    const first = await store.predictions.record({
      messageId: null,
      kind: 'suggest',
      netName: 'qa',
      netVersion: 'v1',
      label: null,
      confidence: null,
      top: undefined,
      latencyMs: 0.75,
    });
    const second = await store.predictions.record({
      messageId: null,
      kind: 'classify',
      netName: 'classifier',
      netVersion: 'v2',
      label: 'refund',
      confidence: 0.9,
      top: [],
      latencyMs: 1,
    });
    expect(second).toBeGreaterThan(first);
    expect(await count('predictions')).toBe(2);
  });
});
