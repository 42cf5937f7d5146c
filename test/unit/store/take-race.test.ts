import { describe, expect, it } from 'vitest';
import { ConversationService } from '../../../src/core/conversation-service.js';
import { InProcessEventBus } from '../../../src/core/events.js';
import { createStore, openDatabase } from '../../../src/store/sqlite.js';

const clock = { now: () => 1_700_000_000_000 };

async function conversationWithMessage() {
  const db = openDatabase(':memory:');
  const store = createStore(db, clock);
  const accepted = await store.inbox.accept({
    bot: 'b',
    channel: 'rest',
    deliveryId: '1',
    chatId: 'c1',
    text: 'hi',
  });
  return { db, store, conversationId: accepted.conversationId, messageId: accepted.messageId };
}

const label = (conversationId: number, messageId: number, operator: string) => ({
  conversationId,
  messageId,
  operator,
  action: 'take' as const,
  category: null,
  answerId: null,
  text: null,
  predictionIds: [],
  netVersions: {},
});

describe('taking a conversation', () => {
  it('is refused to the second of two operators taking at once, and only the winner’s action is stored', async () => {
    const { db, store, conversationId, messageId } = await conversationWithMessage();
    const service = new ConversationService(store.conversations, new Map(), new InProcessEventBus());
    const results = await Promise.allSettled([
      service.take(conversationId, 'ann', label(conversationId, messageId, 'ann')),
      service.take(conversationId, 'bob', label(conversationId, messageId, 'bob')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.message).toMatch(/is taken by (ann|bob)/);
    const holder = (await store.conversations.getConversation(conversationId))!.assignedOperator;
    expect(db.prepare('SELECT operator FROM operator_actions').all()).toEqual([{ operator: holder }]);
  });

  it('leaves a conversation taken by a colleague as it is, and stores no action for the refused take', async () => {
    const { db, store, conversationId, messageId } = await conversationWithMessage();
    await store.conversations.updateConversation(conversationId, {
      status: 'assigned',
      assignedOperator: 'ann',
    });
    const after = await store.conversations.updateConversation(
      conversationId,
      { status: 'assigned', assignedOperator: 'bob', ifFreeFor: 'bob' },
      label(conversationId, messageId, 'bob'),
    );
    expect(after).toMatchObject({ status: 'assigned', assignedOperator: 'ann' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM operator_actions').get()).toEqual({ n: 0 });
    // The holder takes it again: allowed, and labelled.
    const again = await store.conversations.updateConversation(
      conversationId,
      { status: 'assigned', assignedOperator: 'ann', ifFreeFor: 'ann' },
      label(conversationId, messageId, 'ann'),
    );
    expect(again).toMatchObject({ assignedOperator: 'ann' });
    expect(db.prepare('SELECT operator FROM operator_actions').all()).toEqual([{ operator: 'ann' }]);
  });
});
