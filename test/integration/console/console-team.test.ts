import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/server.js';
import { deriveLabels } from '../../../training/labels/derive.js';
import { ConsoleClient, operatorsConfig, signIn } from '../../helpers/console-client.js';
import { rows, startTestGateway } from '../../helpers/gateway.js';
import { postTelegram, telegramMessage } from '../../helpers/platforms.js';
import { PlatformStandIn } from '../../helpers/stand-in.js';
import { sleep } from '../../helpers/wait.js';

let gw: Gateway;
let standIn: PlatformStandIn;
let ann: ConsoleClient;
let bob: ConsoleClient;
let cleo: ConsoleClient;
let update = 20_000;

beforeAll(async () => {
  standIn = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await startTestGateway({ standIn, config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig() } });
  await gw.store.operators.setRole('cleo', 'supervisor');
  ann = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'ann'));
  bob = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'bob'));
  cleo = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'cleo'));
});
afterAll(async () => {
  for (const c of [ann, bob, cleo]) c?.close();
  await gw?.close();
  await standIn?.close();
});

/** A customer writes on Telegram; resolves with the conversation id once it is in the queue. */
async function customerWrites(chatId: number, text: string): Promise<number> {
  const res = await postTelegram(gw, telegramMessage(update++, text, { chatId }));
  expect(res.status).toBe(200);
  const upsert = await ann.event(
    (e) => e.kind === 'queue.upsert' && e.item.customer.id === String(chatId) && e.item.lastLine === text,
    'queue upsert',
  );
  return upsert.item.conversationId;
}

const statusOf = (id: number) =>
  rows(gw, 'SELECT status, assigned_operator FROM conversations WHERE id = ?', id)[0];
const actionsOf = (id: number, action: string) =>
  rows(gw, 'SELECT * FROM operator_actions WHERE conversation_id = ? AND action = ?', id, action);

describe('ownership on the server', () => {
  it('refuses a colleague every action on a taken conversation, and changes nothing', async () => {
    const id = await customerWrites(801, 'someone stole my card yesterday');
    await ann.request({ type: 'take', conversationId: id });
    for (const req of [
      { type: 'resolve' },
      { type: 'hand_back' },
      { type: 'correct_category', category: 'compromised_card' },
      { type: 'new_category', category: 'card_stolen_abroad' },
      { type: 'assign', to: 'bob' },
      { type: 'reply', text: 'hello' },
      { type: 'take' },
    ]) {
      await expect(bob.request({ ...req, conversationId: id }), req.type).rejects.toMatchObject({
        code: 'conflict',
        message: `conversation ${id} is taken by ann`,
      });
    }
    expect(statusOf(id)).toEqual({ status: 'assigned', assigned_operator: 'ann' });
    expect(
      rows(
        gw,
        "SELECT COUNT(*) AS n FROM operator_actions WHERE conversation_id = ? AND operator = 'bob'",
        id,
      )[0].n,
    ).toBe(0);
    expect(rows(gw, 'SELECT category FROM conversations WHERE id = ?', id)[0].category).toBe(
      'lost_or_stolen_card',
    );
  });

  it('lets the owner transfer to a colleague, who is told', async () => {
    const id = await customerWrites(802, 'someone stole my card on the train');
    await ann.request({ type: 'take', conversationId: id });
    await ann.request({ type: 'assign', conversationId: id, to: 'bob' });
    const notice = await bob.event((e) => e.kind === 'notice' && e.conversationId === id);
    expect(notice).toMatchObject({ to: 'bob', notice: 'assigned', by: 'ann' });
    await ann.event(
      (e) => e.kind === 'queue.upsert' && e.item.conversationId === id && e.item.assignedTo === 'bob',
    );
    expect(statusOf(id)).toEqual({ status: 'assigned', assigned_operator: 'bob' });
    await expect(ann.request({ type: 'resolve', conversationId: id })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(bob.request({ type: 'assign', conversationId: id, to: 'nobody' })).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'there is no operator nobody',
    });
  });

  it('lets a supervisor reassign and resolve a colleague’s conversation, telling the owner', async () => {
    const id = await customerWrites(803, 'someone stole my card at the station');
    await ann.request({ type: 'take', conversationId: id });
    await cleo.request({ type: 'assign', conversationId: id, to: 'bob' });
    expect(
      await ann.event((e) => e.kind === 'notice' && e.conversationId === id && e.to === 'ann'),
    ).toMatchObject({
      notice: 'reassigned',
      by: 'cleo',
    });
    expect(
      await bob.event((e) => e.kind === 'notice' && e.conversationId === id && e.to === 'bob'),
    ).toMatchObject({
      notice: 'assigned',
      by: 'cleo',
    });
    await cleo.request({ type: 'resolve', conversationId: id });
    expect(
      await bob.event((e) => e.kind === 'notice' && e.conversationId === id && e.notice === 'resolved'),
    ).toMatchObject({ to: 'bob', by: 'cleo' });
    expect(statusOf(id).status).toBe('resolved');
  });
});

describe('categories', () => {
  it('refuses a category the classifier does not know, storing no label', async () => {
    const id = await customerWrites(811, 'someone stole my card in a shop');
    await expect(
      ann.request({ type: 'correct_category', conversationId: id, category: 'not_a_real_category' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: '"not_a_real_category" is not a category of bot bank-support',
    });
    expect(actionsOf(id, 'correct_category')).toHaveLength(0);
    expect(rows(gw, 'SELECT category FROM conversations WHERE id = ?', id)[0].category).toBe(
      'lost_or_stolen_card',
    );
  });

  it('creates a new category explicitly, as a label the retraining reads as a new category', async () => {
    const id = await customerWrites(812, 'someone stole my card while abroad');
    expect(
      await ann.request({ type: 'new_category', conversationId: id, category: 'card_stolen_abroad' }),
    ).toEqual({
      created: true,
    });
    const [label] = actionsOf(id, 'correct_category');
    expect(label).toMatchObject({ operator: 'ann', category: 'card_stolen_abroad' });
    const { labels } = deriveLabels(await gw.store.labels.categoryActions({ bot: 'bank-support' }));
    expect(labels.find((l) => l.text === 'someone stole my card while abroad')).toMatchObject({
      category: 'card_stolen_abroad',
      source: 'correction',
    });
    const detail = await bob.request({ type: 'open', conversationId: id });
    expect(detail.categories).toContain('card_stolen_abroad');
    expect(detail.createdCategories).toEqual(['card_stolen_abroad']);
    // Now a category of the console: colleagues can choose it like any other.
    const other = await customerWrites(813, 'my card was stolen on holiday');
    await bob.request({ type: 'correct_category', conversationId: other, category: 'card_stolen_abroad' });
    await expect(
      ann.request({ type: 'new_category', conversationId: id, category: 'Not A Name!' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('resolved and handed-back conversations', () => {
  it('refuses a reply on a resolved conversation unless it reopens it', async () => {
    const id = await customerWrites(821, 'someone stole my card at the gym');
    await ann.request({ type: 'resolve', conversationId: id });
    const outbox = () => rows(gw, 'SELECT COUNT(*) AS n FROM outbox WHERE conversation_id = ?', id)[0].n;
    const before = outbox();
    await expect(
      ann.request({ type: 'reply', conversationId: id, text: 'one more thing' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'resolved' },
    });
    expect(outbox()).toBe(before);
    expect(statusOf(id).status).toBe('resolved');
    await ann.request({ type: 'reply', conversationId: id, text: 'one more thing', reopen: true });
    expect(statusOf(id)).toEqual({ status: 'assigned', assigned_operator: 'ann' });
    expect(outbox()).toBe(before + 1);
  });

  it('asks before taking a conversation the bot is handling', async () => {
    const id = await customerWrites(822, 'someone stole my card at a concert');
    await ann.request({ type: 'hand_back', conversationId: id });
    expect(statusOf(id).status).toBe('bot');
    await expect(ann.request({ type: 'take', conversationId: id })).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'confirm_take_from_bot' },
    });
    expect(statusOf(id).status).toBe('bot');
    await ann.request({ type: 'take', conversationId: id, confirm: true });
    expect(statusOf(id)).toEqual({ status: 'assigned', assigned_operator: 'ann' });
    // Back from the bot without a stored queue: its category's queue and SLA still apply.
    const { item } = await ann.request({ type: 'open', conversationId: id });
    expect(item).toMatchObject({ queue: 'security', sensitive: true });
    expect(item.slaDueAt - item.waitingSince).toBe(5 * 60_000);
  });
});

describe('live updates of an open conversation', () => {
  it('sends the new classification and suggestions when the customer writes again', async () => {
    const id = await customerWrites(831, 'someone stole my card');
    const first = await ann.event((e) => e.kind === 'conversation.updated' && e.conversationId === id);
    expect(first.classification).toMatchObject({ category: 'lost_or_stolen_card' });
    const second = await postTelegram(
      gw,
      telegramMessage(update++, 'and what is the exchange rate today', { chatId: 831 }),
    );
    expect(second.status).toBe(200);
    const updated = await ann.event(
      (e) => e.kind === 'conversation.updated' && e.conversationId === id && e.messageId > first.messageId,
    );
    expect(updated.classification).toMatchObject({ category: 'exchange_rate' });
    expect(updated.suggestions[0]).toMatchObject({ answerId: 102 });
  });

  it('shows a reopened conversation with the message that reopened it, waiting from then', async () => {
    const id = await customerWrites(832, 'someone stole my card again');
    await ann.request({ type: 'resolve', conversationId: id });
    await ann.event((e) => e.kind === 'queue.remove' && e.conversationId === id);
    await sleep(20);
    const reopenedAt = Date.now();
    await postTelegram(gw, telegramMessage(update++, 'they stole my new card too', { chatId: 832 }));
    const added = await bob.event(
      (e) =>
        e.kind === 'message.added' &&
        e.conversationId === id &&
        e.message.text === 'they stole my new card too',
    );
    expect(added.message.author).toBe('customer');
    const upsert = await bob.event(
      (e) =>
        e.kind === 'queue.upsert' &&
        e.item.conversationId === id &&
        e.item.lastLine === 'they stole my new card too',
    );
    expect(upsert.item.firstLine).toBe('they stole my new card too');
    expect(upsert.item.waitingSince).toBeGreaterThanOrEqual(reopenedAt - 5);
  });
});

describe('what operators read', () => {
  it('says a too-long reply in words, with the limit for the console to translate', async () => {
    const id = await customerWrites(841, 'someone stole my card last night');
    await expect(
      ann.request({ type: 'reply', conversationId: id, text: 'x'.repeat(4001) }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'The reply is too long: at most 4000 characters.',
      details: { field: 'text', rule: 'too_long', limit: 4000 },
    });
  });

  it('marks sensitive categories and the queue’s SLA on each line', async () => {
    const id = await customerWrites(842, 'someone stole my card at the market');
    const item = (await ann.request({ type: 'open', conversationId: id })).item;
    expect(item).toMatchObject({ sensitive: true, queue: 'security' });
    expect(item.slaDueAt - item.waitingSince).toBe(5 * 60_000);
  });

  it('keeps the language an operator chose and greets them in it next time', async () => {
    await bob.request({ type: 'set_language', language: 'ru' });
    const again = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'bob'));
    const welcome = again.frames.find((f) => f.type === 'welcome');
    expect(welcome.operator).toMatchObject({ login: 'bob', language: 'ru', role: 'operator' });
    expect(welcome.team.operators.map((o: { login: string }) => o.login)).toEqual(['ann', 'bob', 'cleo']);
    expect(welcome.team.bots['bank-support'].slaMinutes.security).toBe(5);
    again.close();
  });
});

describe('history, notes and canned answers', () => {
  it('finds conversations of any status by id, customer, text and category, resolved ones read-only', async () => {
    const id = await customerWrites(851, 'my card was stolen near the museum');
    await ann.request({ type: 'resolve', conversationId: id });
    const byText = await ann.request({ type: 'search', query: 'near the museum' });
    expect(byText.results.map((r: { conversationId: number }) => r.conversationId)).toEqual([id]);
    expect(byText.results[0].status).toBe('resolved');
    expect((await ann.request({ type: 'search', query: `#${id}` })).results[0].conversationId).toBe(id);
    const byCustomer = await ann.request({ type: 'search', query: '851' });
    expect(byCustomer.results.map((r: { conversationId: number }) => r.conversationId)).toContain(id);
    const byCategory = await ann.request({ type: 'search', query: 'lost_or_stolen' });
    expect(byCategory.results.length).toBeGreaterThan(3);
    expect((await ann.request({ type: 'search', query: '100%_nothing' })).results).toEqual([]);
  });

  it('keeps internal notes for colleagues and never sends them to the customer', async () => {
    const id = await customerWrites(852, 'someone stole my card and my keys');
    await ann.request({ type: 'add_note', conversationId: id, text: 'Called the customer, card blocked.' });
    const added = await bob.event((e) => e.kind === 'note.added' && e.conversationId === id);
    expect(added.note).toMatchObject({ operator: 'ann', text: 'Called the customer, card blocked.' });
    const detail = await bob.request({ type: 'open', conversationId: id });
    expect(detail.notes.map((n: { text: string }) => n.text)).toEqual(['Called the customer, card blocked.']);
    expect(detail.messages.some((m: { text: string }) => m.text.includes('card blocked'))).toBe(false);
    await sleep(100);
    // The bot's own handoff reply may still be on its way on a loaded machine: what matters is
    // that nothing sent to the customer carries the note.
    const toCustomer = standIn.requests.filter((r) => r.body?.chat_id === 852);
    expect(toCustomer.filter((r) => JSON.stringify(r.body).includes('card blocked'))).toEqual([]);
  });

  it('searches the knowledge base from the reply box and saves a written reply as a new answer', async () => {
    const id = await customerWrites(853, 'someone stole my card from the locker');
    const { answerId } = await ann.request({
      type: 'kb_add',
      conversationId: id,
      text: 'Lockers are not safe for cards: freeze it in the app and we send a new one.',
    });
    const found = await ann.request({ type: 'kb_search', conversationId: id, query: 'lockers freeze' });
    expect(found.answers).toEqual([
      {
        answerId,
        text: 'Lockers are not safe for cards: freeze it in the app and we send a new one.',
        category: 'lost_or_stolen_card',
        language: 'en',
      },
    ]);
  });

  it('keeps each operator’s own saved replies', async () => {
    await ann.request({ type: 'save_reply', title: 'Greeting', text: 'Hello, I am looking into it now.' });
    expect((await ann.request({ type: 'saved_replies' })).replies).toMatchObject([
      { title: 'Greeting', text: 'Hello, I am looking into it now.' },
    ]);
    expect((await bob.request({ type: 'saved_replies' })).replies).toEqual([]);
  });
});
