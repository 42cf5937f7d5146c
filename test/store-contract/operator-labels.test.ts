import { expect, it } from 'vitest';
import type { OperatorActionRecord } from '../../src/core/conversation-port.js';
import { describeEachStore } from './engines.js';
import { Seed } from './seed-rows.js';

const act = (
  conversationId: number,
  messageId: number | null,
  o: Partial<OperatorActionRecord> & Pick<OperatorActionRecord, 'action'>,
): OperatorActionRecord => ({
  conversationId,
  messageId,
  operator: 'ann',
  category: null,
  answerId: null,
  text: null,
  predictionIds: [],
  netVersions: {},
  ...o,
});

describeEachStore("operators' actions as retraining reads them", (t) => {
  async function desk() {
    const c = t();
    const seed = new Seed(c);
    const conv = await seed.conversation({ chat: 'c1', bot: 'desk' });
    const other = await seed.conversation({ chat: 'c2', bot: 'shop' });
    const q1 = await seed.message(conv, 'Моя карта не пришла');
    const bot = await seed.message(conv, 'Checking…', { direction: 'out' });
    const q2 = await seed.message(other, 'refund please');
    return { ...c, conv, other, q1, bot, q2 };
  }

  it('reads category labels oldest first, with the message text and the nets judged', async () => {
    const { store, clock, conv, other, q1, bot, q2 } = await desk();
    clock.t += 2000;
    const late = await store.console.recordAction(
      act(conv, q1, {
        action: 'correct_category',
        category: 'card_arrival',
        netVersions: { classifier: 'clf@v2' },
      }),
    );
    clock.t -= 1000;
    const early = await store.console.recordAction(
      act(other, q2, { action: 'reply', category: 'refund', text: 'Refund sent.', operator: 'bob' }),
    );
    // Not labels: no category, an action that labels nothing, an outbound message.
    await store.console.recordAction(act(conv, q1, { action: 'take' }));
    await store.console.recordAction(act(conv, q1, { action: 'resolve', category: 'card_arrival' }));
    await store.console.recordAction(
      act(conv, bot, { action: 'correct_category', category: 'card_arrival' }),
    );
    await store.console.recordAction(act(conv, q1, { action: 'reply', text: 'ok' }));
    const all = await store.labels.categoryActions();
    expect(all.map((r) => r.actionId)).toEqual([early, late]);
    expect(all[1]).toEqual({
      actionId: late,
      action: 'correct_category',
      bot: 'desk',
      messageId: q1,
      text: 'Моя карта не пришла',
      category: 'card_arrival',
      operator: 'ann',
      createdAt: clock.t + 1000,
      netVersions: { classifier: 'clf@v2' },
    });
    expect(all[0]!.netVersions).toEqual({});
    expect((await store.labels.categoryActions({ bot: 'shop' })).map((r) => r.actionId)).toEqual([early]);
    expect((await store.labels.categoryActions({ since: clock.t + 1 })).map((r) => r.actionId)).toEqual([
      late,
    ]);
  });

  it('orders actions given in the same millisecond by id', async () => {
    const { store, conv, q1 } = await desk();
    const ids: number[] = [];
    for (const category of ['a', 'b', 'c'])
      ids.push(await store.console.recordAction(act(conv, q1, { action: 'correct_category', category })));
    expect((await store.labels.categoryActions()).map((r) => [r.actionId, r.category])).toEqual([
      [ids[0], 'a'],
      [ids[1], 'b'],
      [ids[2], 'c'],
    ]);
  });

  it('reads operators answers with the question they answered and the answer used', async () => {
    const { store, clock, conv, other, q1, q2 } = await desk();
    const [kb] = await store.knowledgeBase.insertMany([
      { kb: 'default', text: 'Refund sent.', category: 'refund', language: 'en', active: true },
    ]);
    const accepted = await store.console.recordAction(
      act(other, q2, {
        action: 'accept_suggestion',
        category: 'refund',
        answerId: kb!.id,
        text: 'Refund sent.',
      }),
    );
    clock.t += 10;
    const written = await store.console.recordAction(
      act(conv, q1, { action: 'reply', text: 'Карта будет завтра.', operator: 'олег' }),
    );
    await store.console.recordAction(
      act(conv, q1, { action: 'correct_category', category: 'card', text: 'x' }),
    );
    await store.console.recordAction(act(conv, q1, { action: 'edit_suggestion', category: 'card' }));
    expect(await store.labels.answerActions()).toEqual([
      {
        actionId: accepted,
        action: 'accept_suggestion',
        bot: 'shop',
        messageId: q2,
        question: 'refund please',
        answer: 'Refund sent.',
        answerId: kb!.id,
        category: 'refund',
        operator: 'ann',
        createdAt: clock.t - 10,
      },
      {
        actionId: written,
        action: 'reply',
        bot: 'desk',
        messageId: q1,
        question: 'Моя карта не пришла',
        answer: 'Карта будет завтра.',
        answerId: null,
        category: null,
        operator: 'олег',
        createdAt: clock.t,
      },
    ]);
    expect((await store.labels.answerActions({ bot: 'desk' })).map((r) => r.actionId)).toEqual([written]);
  });
});
