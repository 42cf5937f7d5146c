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

const DAY = 86_400_000;

describeEachStore('console store', (t) => {
  it('queues conversations waiting for or with an operator, from the first unanswered line', async () => {
    const c = t();
    const seed = new Seed(c);
    const waiting = await seed.conversation({ chat: 'c1', customerName: 'Анна' });
    const t0 = c.clock.t;
    await seed.message(waiting, 'My card\nsecond line is not shown', { at: t0 });
    await seed.message(waiting, 'Bot: checking', { direction: 'out', at: t0 + 1 });
    await seed.message(waiting, `${'x'.repeat(150)}`, { at: t0 + 2 });
    const answered = await seed.conversation({ chat: 'c2', status: 'assigned', assignedOperator: 'ann' });
    await seed.message(answered, 'first question', { at: t0 });
    await seed.message(answered, 'Hello, Ann here', {
      direction: 'out',
      author: 'operator',
      operator: 'ann',
      at: t0 + 5,
    });
    await seed.message(answered, 'thanks, and another thing', { at: t0 + 9 });
    const resolved = await seed.conversation({ chat: 'c3', status: 'resolved' });
    await seed.message(resolved, 'old', { at: t0 });
    await seed.conversation({ chat: 'c4', status: 'bot' });

    // The console orders the queue itself (priority, SLA): the store's order is not part of the contract.
    const queue = (await c.store.console.queue()).sort((x, y) => x.conversationId - y.conversationId);
    expect(queue.map((q) => q.conversationId)).toEqual([waiting, answered]);
    expect(queue[0]).toEqual({
      conversationId: waiting,
      bot: 'desk',
      channel: 'rest',
      customer: { id: 'cust-c1', name: 'Анна' },
      firstLine: 'My card',
      lastLine: `${'x'.repeat(139)}…`,
      category: null,
      confidence: 0.5,
      status: 'queued',
      queue: null,
      assignedTo: null,
      waitingSince: t0,
      language: 'en',
    });
    expect(queue[1]).toMatchObject({
      firstLine: 'thanks, and another thing',
      waitingSince: t0 + 9,
      assignedTo: 'ann',
      status: 'assigned',
    });
    expect(await c.store.console.queueItem(resolved)).toBeUndefined();
    expect(await c.store.console.conversationItem(resolved)).toMatchObject({
      status: 'resolved',
      firstLine: 'old',
    });
    expect(await c.store.console.queueItem(answered)).toEqual(queue[1]);
    expect(await c.store.console.conversationItem(999)).toBeUndefined();
  });

  it('starts the wait anew after a resolve or hand-back, and without a new line waits since the update', async () => {
    const c = t();
    const seed = new Seed(c);
    const t0 = c.clock.t;
    const conv = await seed.conversation({ chat: 'c1', updatedAt: t0 + 50 });
    const m1 = await seed.message(conv, 'before', { at: t0 });
    await c.store.console.recordAction(act(conv, m1, { action: 'resolve' }));
    expect(await c.store.console.queueItem(conv)).toMatchObject({
      firstLine: 'before',
      lastLine: 'before',
      waitingSince: t0 + 50,
    });
    await seed.message(conv, 'after the reopen', { at: t0 + 60 });
    expect(await c.store.console.queueItem(conv)).toMatchObject({
      firstLine: 'after the reopen',
      waitingSince: t0 + 60,
    });
  });

  it('finds conversations by id, customer, chat, name, category or text, case-insensitively in Latin and Cyrillic', async () => {
    const c = t();
    const seed = new Seed(c);
    const t0 = c.clock.t;
    const a = await seed.conversation({
      chat: 'tg-851',
      customerId: '851',
      customerName: 'Ольга Петрова',
      updatedAt: t0 + 1,
    });
    await seed.message(a, 'Карта потерялась возле музея');
    const b = await seed.conversation({
      chat: 'tg-900',
      customerName: 'John SMITH',
      category: 'lost_or_stolen',
      updatedAt: t0 + 2,
      status: 'resolved',
    });
    await seed.message(b, 'I lost my card near the Museum, 100% sure');
    const ids = async (q: string) => (await c.store.console.search(q, 50)).map((i) => i.conversationId);
    expect(await ids(String(b))).toEqual([b]);
    expect(await ids(`#${a}`)).toEqual([a]);
    expect(await ids(`#${b}`)).toEqual([b]);
    expect(await ids('851')).toEqual([a]);
    expect(await ids('tg-900')).toEqual([b]);
    expect(await ids('smith')).toEqual([b]);
    expect(await ids('ПЕТРОВА')).toEqual([a]);
    expect(await ids('ольга')).toEqual([a]);
    expect(await ids('МУЗЕЯ')).toEqual([a]);
    expect(await ids('near the museum')).toEqual([b]);
    expect(await ids('LOST_OR')).toEqual([b]);
    expect(await ids('card')).toEqual([b]);
    expect(await ids('100%')).toEqual([b]);
    expect(await ids('100%_nothing')).toEqual([]);
    expect(await ids('lost%stolen')).toEqual([]);
    expect(await ids('l_st')).toEqual([]);
    // Newest first, up to the limit.
    await seed.message(a, 'my card again');
    expect(await ids('card')).toEqual([b, a]);
    expect((await c.store.console.search('card', 1)).map((i) => i.conversationId)).toEqual([b]);
  });

  it("lists the customer's other conversations on the same channel, newest first", async () => {
    const c = t();
    const seed = new Seed(c);
    const t0 = c.clock.t;
    const first = await seed.conversation({
      chat: 'c1',
      customerId: 'u1',
      updatedAt: t0 + 1,
      status: 'resolved',
    });
    const second = await seed.conversation({
      chat: 'c2',
      customerId: 'u1',
      updatedAt: t0 + 3,
      status: 'resolved',
    });
    const now = await seed.conversation({ chat: 'c3', customerId: 'u1', updatedAt: t0 + 2 });
    await seed.conversation({ chat: 'c4', customerId: 'u1', channel: 'telegram' });
    await seed.conversation({ chat: 'c5', customerId: 'u2' });
    const anonymous = await seed.conversation({ chat: 'c6', customerId: null });
    await seed.conversation({ chat: 'c7', customerId: null });
    expect((await c.store.console.earlierConversations(now, 10)).map((i) => i.conversationId)).toEqual([
      second,
      first,
    ]);
    expect((await c.store.console.earlierConversations(now, 1)).map((i) => i.conversationId)).toEqual([
      second,
    ]);
    expect(await c.store.console.earlierConversations(anonymous, 10)).toEqual([]);
  });

  it('keeps notes, saved replies, created categories and operators preferences', async () => {
    const c = t();
    const seed = new Seed(c);
    const conv = await seed.conversation({ chat: 'c1' });
    const n1 = await c.store.console.addNote(conv, 'ann', 'VIP, be kind');
    c.clock.t += 5;
    const n2 = await c.store.console.addNote(conv, 'bob', 'Звонил дважды');
    expect(n1).toEqual({
      id: n1.id,
      conversationId: conv,
      operator: 'ann',
      text: 'VIP, be kind',
      createdAt: c.clock.t - 5,
    });
    expect(await c.store.console.notes(conv)).toEqual([n1, n2]);

    const r1 = await c.store.console.saveReply('ann', 'Шаблон', 'Здравствуйте!');
    const r2 = await c.store.console.saveReply('ann', 'Greeting', 'Hello!');
    const r3 = await c.store.console.saveReply('ann', 'Greeting', 'Hi!');
    await c.store.console.saveReply('bob', 'Other', 'x');
    expect(await c.store.console.savedReplies('ann')).toEqual([r2, r3, r1]);

    expect(await c.store.console.createCategory('desk', 'card_swallowed', 'ann')).toBe(true);
    expect(await c.store.console.createCategory('desk', 'card_swallowed', 'bob')).toBe(false);
    expect(await c.store.console.createCategory('desk', 'avia_tickets', 'bob')).toBe(true);
    expect(await c.store.console.createCategory('shop', 'card_swallowed', 'bob')).toBe(true);
    expect(await c.store.console.createdCategories('desk')).toEqual(['avia_tickets', 'card_swallowed']);

    await seed.operator('zoe', { name: 'Zoe', role: 'supervisor' });
    await seed.operator('ann', { name: 'Ann' });
    await seed.operator('old', { active: false });
    await c.store.console.setOperatorLanguage('ann', 'ru');
    expect(await c.store.console.operators()).toEqual([
      { login: 'ann', name: 'Ann', role: 'operator', language: 'ru' },
      { login: 'zoe', name: 'Zoe', role: 'supervisor', language: 'en' },
    ]);
  });

  it('reads histories, messages by id, the last customer line, suggestions and predictions', async () => {
    const c = t();
    const seed = new Seed(c);
    const conv = await seed.conversation({ chat: 'c1' });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await seed.message(conv, `m${i}`, i % 2 ? { direction: 'out' } : {}));
    expect((await c.store.console.history(conv)).map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(await c.store.console.history(conv, 2)).toEqual([
      { id: ids[3], direction: 'out', author: 'bot', operator: null, text: 'm3', createdAt: c.clock.t },
      { id: ids[4], direction: 'in', author: 'customer', operator: null, text: 'm4', createdAt: c.clock.t },
    ]);
    expect(
      (await c.store.console.messagesById([ids[4]!, ids[1]!, 999])).map((m) => [m.id, m.conversationId]),
    ).toEqual([
      [ids[1], conv],
      [ids[4], conv],
    ]);
    expect(await c.store.console.lastInbound(conv)).toEqual({ id: ids[4], text: 'm4' });
    expect(await c.store.console.lastInbound(999)).toBeUndefined();

    expect(await c.store.console.latestSuggestions(conv)).toEqual([]);
    await seed.decision(ids[0]!, { suggestions: [{ answerId: 1, text: 'old', score: 0.5 }] });
    const latest = [{ answerId: 2, text: 'Ваша карта в пути', score: 0.75 }];
    await seed.decision(ids[2]!, { suggestions: latest });
    expect(await c.store.console.latestSuggestions(conv)).toEqual(latest);

    expect(await c.store.console.predictionsFor(ids[2]!)).toEqual({
      predictionIds: [],
      netVersions: {},
      classification: null,
    });
    const p1 = await seed.prediction(ids[2]!, {
      kind: 'classify',
      net: 'clf',
      version: 'v3',
      label: 'card',
      confidence: 0.625,
    });
    const p2 = await seed.prediction(ids[2]!, { kind: 'suggest', net: 'qa', version: 'v1' });
    expect(await c.store.console.predictionsFor(ids[2]!)).toEqual({
      predictionIds: [p1, p2],
      netVersions: { classifier: 'clf@v3', qa: 'qa@v1' },
      classification: { category: 'card', confidence: 0.625, net: { name: 'clf', version: 'v3' } },
    });
  });

  it('searches active knowledge-base answers holding every word, most used first', async () => {
    const c = t();
    const seed = new Seed(c);
    const [a, b, , d] = await c.store.knowledgeBase.insertMany([
      {
        kb: 'default',
        text: 'Lockers freeze in winter: use the heated ones',
        category: 'lockers',
        language: 'en',
        active: true,
      },
      {
        kb: 'default',
        text: 'Heated LOCKERS are by the entrance',
        category: null,
        language: 'en',
        active: true,
      },
      { kb: 'default', text: 'Old lockers text', category: null, language: 'en', active: false },
      { kb: 'default', text: 'Ячейки замерзают зимой', category: null, language: 'ru', active: true },
    ]);
    await c.store.knowledgeBase.insertMany([
      { kb: 'shop', text: 'lockers heated', category: null, language: 'en', active: true },
    ]);
    const conv = await seed.conversation({ chat: 'c1' });
    const m = await seed.message(conv, 'q');
    await c.store.console.recordAction(
      act(conv, m, { action: 'accept_suggestion', answerId: b!.id, text: 'x' }),
    );
    const hits = async (q: string, limit = 10) =>
      (await c.store.console.kbSearch('default', q, limit)).map((h) => h.answerId);
    expect(await hits('heated lockers')).toEqual([b!.id, a!.id]);
    expect(await hits('heated lockers', 1)).toEqual([b!.id]);
    expect(await hits('lockers freeze')).toEqual([a!.id]);
    expect(await hits('ЗИМОЙ ячейки')).toEqual([d!.id]);
    expect(await hits('50%')).toEqual([]);
    expect(await hits('')).toEqual([b!.id, a!.id, d!.id]);
    expect((await c.store.console.kbSearch('default', 'ячейки', 5))[0]).toEqual({
      answerId: d!.id,
      text: 'Ячейки замерзают зимой',
      category: null,
      language: 'ru',
    });
  });

  it('computes the stats page from decisions, actions and predictions of the last days', async () => {
    const c = t();
    const seed = new Seed(c);
    const now = c.clock.t;
    const conv = await seed.conversation({ chat: 'c1' });
    const m = async (text: string) => seed.message(conv, text);
    const old = await m('old');
    await seed.decision(old, { action: 'auto_reply', category: 'card', at: now - 10 * DAY });
    const [m1, m2, m3, m4] = [await m('1'), await m('2'), await m('3'), await m('4')];
    await seed.decision(m1, { action: 'auto_reply', category: 'card', at: now - 2 * DAY });
    await seed.decision(m2, { action: 'handoff', category: 'refund', at: now - 2 * DAY });
    await seed.decision(m3, { action: 'handoff', category: 'card', at: now - DAY });
    await seed.decision(m4, { action: 'fallback', category: null, at: now - DAY });
    c.clock.t = now - 2 * DAY + 1000;
    // m2: the operator first agreed, then corrected on the same day: the final label counts.
    await c.store.console.recordAction(act(conv, m2, { action: 'reply', category: 'refund', text: 'ok' }));
    await c.store.console.recordAction(act(conv, m2, { action: 'correct_category', category: 'card' }));
    c.clock.t = now - DAY + 1000;
    await c.store.console.recordAction(
      act(conv, m3, { action: 'accept_suggestion', category: 'card', text: 'x' }),
    );
    await c.store.console.recordAction(act(conv, m3, { action: 'take' }));
    c.clock.t = now;
    for (const [kind, ms] of [
      ['classify', 4],
      ['classify', 2],
      ['classify', 10],
      ['suggest', 7],
    ] as const)
      await seed.prediction(m1, { kind, net: 'n', version: 'v', latencyMs: ms, at: now - DAY });
    await seed.prediction(m1, {
      kind: 'classify',
      net: 'n',
      version: 'v',
      latencyMs: 999,
      at: now - 9 * DAY,
    });
    const stats = await c.store.console.stats(now, 7, 'reports/latest.html');
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    expect(stats).toEqual({
      days: 7,
      perCategory: [
        { category: 'card', count: 2 },
        { category: 'refund', count: 1 },
      ],
      outcomes: { autoReply: 1, handoff: 2, fallback: 1 },
      suggestions: { accepted: 1, edited: 0, written: 1 },
      agreement: [
        { day: day(now - 2 * DAY + 1000), agree: 0, total: 1 },
        { day: day(now - DAY + 1000), agree: 1, total: 1 },
      ],
      // Kinds in the order of their newest prediction.
      latency: [
        { kind: 'suggest', p50: 7, p95: 7, n: 1 },
        { kind: 'classify', p50: 4, p95: 10, n: 3 },
      ],
      latestReport: 'reports/latest.html',
    });
  });
});
