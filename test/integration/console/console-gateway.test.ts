import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/server.js';
import { sqliteDatabaseOf } from '../../../src/store/sqlite.js';
import { ConsoleClient, operatorsConfig, signIn } from '../../helpers/console-client.js';
import { rows, startTestGateway } from '../../helpers/gateway.js';
import { postTelegram, telegramMessage } from '../../helpers/platforms.js';
import { PlatformStandIn } from '../../helpers/stand-in.js';
import { waitFor } from '../../helpers/wait.js';

let gw: Gateway;
let standIn: PlatformStandIn;
let ann: ConsoleClient;
let bob: ConsoleClient;

beforeAll(async () => {
  standIn = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await startTestGateway({
    standIn,
    config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(), NEURODESK_KB_SEED: 'off' },
  });
  // The keyword suggester stands in for the knowledge base (not seeded): of its answers only 103 exists.
  sqliteDatabaseOf(gw.store)
    .prepare(
      'INSERT OR REPLACE INTO kb_answers (id, text, category, created_at, updated_at) VALUES (?, ?, ?, 0, 0)',
    )
    .run(103, 'Freeze the card in the app at once, then order a new one.', 'lost_or_stolen_card');
  ann = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'ann'));
  bob = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'bob'));
});
afterAll(async () => {
  ann?.close();
  bob?.close();
  await gw?.close();
  await standIn?.close();
});

/** Sends a Telegram message the bot hands off (a sensitive category) and returns its conversation id. */
async function handedOffTicket(updateId: number, chatId: number): Promise<number> {
  const res = await postTelegram(
    gw,
    telegramMessage(updateId, 'someone stole my card yesterday', { chatId }),
  );
  expect(res.status).toBe(200);
  const upsert = await ann.event(
    (e) => e.kind === 'queue.upsert' && e.item.customer.id === String(chatId),
    'queue upsert',
  );
  return upsert.item.conversationId;
}

describe('console over the real gateway', () => {
  it('shows a handed-off ticket in every console without a reload', async () => {
    const id = await handedOffTicket(9001, 501);
    const seenByBob = await bob.event((e) => e.kind === 'queue.upsert' && e.item.conversationId === id);
    expect(seenByBob.item).toMatchObject({
      channel: 'telegram',
      firstLine: 'someone stole my card yesterday',
      category: 'lost_or_stolen_card',
      status: 'queued',
      assignedTo: null,
    });
    const detail = await ann.request({ type: 'open', conversationId: id });
    expect(detail.messages.map((m: { author: string }) => m.author)).toContain('customer');
    expect(detail.suggestions[0]).toMatchObject({ answerId: 103 });
    expect(detail.classification).toMatchObject({
      category: 'lost_or_stolen_card',
      net: { version: 'keywords-1' },
    });
    expect(detail.categories).toContain('card_arrival');
  });

  it('lets one operator take a ticket, shows it taken to the other, and refuses the other a take or reply', async () => {
    const id = await handedOffTicket(9002, 502);
    await ann.request({ type: 'take', conversationId: id });
    const taken = await bob.event(
      (e) => e.kind === 'queue.upsert' && e.item.conversationId === id && e.item.assignedTo,
    );
    expect(taken.item).toMatchObject({ assignedTo: 'ann', status: 'assigned' });
    await expect(bob.request({ type: 'take', conversationId: id })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(bob.request({ type: 'reply', conversationId: id, text: 'hi' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('delivers an accepted suggestion through the customer channel and stores it as a label', async () => {
    const id = await handedOffTicket(9003, 503);
    const detail = await ann.request({ type: 'open', conversationId: id });
    const suggestion = detail.suggestions[0];
    const result = await ann.request({
      type: 'reply',
      conversationId: id,
      text: suggestion.text,
      answerId: suggestion.answerId,
    });
    expect(result.action).toBe('accept_suggestion');
    const sent = await waitFor(() =>
      standIn.requests.find(
        (r) => r.path.endsWith('/sendMessage') && r.body.chat_id === 503 && r.body.text === suggestion.text,
      ),
    );
    expect(sent.path).toBe(`/telegram/bot123456:TEST-telegram-bot-token/sendMessage`);
    const added = await bob.event(
      (e) => e.kind === 'message.added' && e.conversationId === id && e.message.author === 'operator',
    );
    expect(added.message).toMatchObject({ operator: 'ann', text: suggestion.text });
    const [action] = rows(
      gw,
      "SELECT * FROM operator_actions WHERE conversation_id = ? AND action = 'accept_suggestion'",
      id,
    );
    expect(action).toMatchObject({
      operator: 'ann',
      answer_id: suggestion.answerId,
      category: 'lost_or_stolen_card',
    });
    expect(JSON.parse(action.net_versions)).toEqual({
      classifier: 'bank-classifier@keywords-1',
      qa: 'bank-qa@keywords-1',
    });
  });

  it('sends nothing when the action cannot be stored', async () => {
    const id = await handedOffTicket(9007, 507);
    const detail = await ann.request({ type: 'open', conversationId: id });
    // Answer 101 was suggested but is gone from the knowledge base: storing the label fails.
    sqliteDatabaseOf(gw.store).pragma('foreign_keys = OFF');
    sqliteDatabaseOf(gw.store).prepare('DELETE FROM kb_answers WHERE id = 101').run();
    sqliteDatabaseOf(gw.store).pragma('foreign_keys = ON');
    const missing = detail.suggestions.find((s: { answerId: number }) => s.answerId === 101);
    const outboxBefore = rows(gw, 'SELECT COUNT(*) AS n FROM outbox WHERE conversation_id = ?', id)[0].n;
    await expect(
      ann.request({ type: 'reply', conversationId: id, text: missing.text, answerId: 101 }),
    ).rejects.toMatchObject({ code: 'internal' });
    expect(rows(gw, 'SELECT COUNT(*) AS n FROM outbox WHERE conversation_id = ?', id)[0].n).toBe(
      outboxBefore,
    );
    expect(
      rows(gw, "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND author = 'operator'", id)[0]
        .n,
    ).toBe(0);
  });

  it('records an edited suggestion as edited', async () => {
    const id = await handedOffTicket(9004, 504);
    const detail = await ann.request({ type: 'open', conversationId: id });
    const s = detail.suggestions[0];
    const result = await ann.request({
      type: 'reply',
      conversationId: id,
      text: `${s.text} Call us if needed.`,
      answerId: s.answerId,
    });
    expect(result.action).toBe('edit_suggestion');
  });

  it('stores a category correction as a label and updates the queue', async () => {
    const id = await handedOffTicket(9005, 505);
    await bob.request({ type: 'correct_category', conversationId: id, category: 'compromised_card' });
    const updated = await ann.event(
      (e) =>
        e.kind === 'queue.upsert' && e.item.conversationId === id && e.item.category === 'compromised_card',
    );
    expect(updated.item.category).toBe('compromised_card');
    const [label] = rows(
      gw,
      "SELECT * FROM operator_actions WHERE conversation_id = ? AND action = 'correct_category'",
      id,
    );
    expect(label).toMatchObject({ operator: 'bob', category: 'compromised_card' });
    const message = rows(gw, 'SELECT text FROM messages WHERE id = ?', label.message_id)[0];
    expect(message.text).toBe('someone stole my card yesterday');
  });

  it('removes a resolved ticket from the queue and counts it in the stats', async () => {
    const id = await handedOffTicket(9006, 506);
    await ann.request({ type: 'resolve', conversationId: id });
    await bob.event((e) => e.kind === 'queue.remove' && e.conversationId === id);
    const reopened = await ann.request({ type: 'open', conversationId: id });
    expect(reopened.item.status).toBe('resolved');
    const stats = await ann.request({ type: 'stats' });
    expect(stats.outcomes.handoff).toBeGreaterThanOrEqual(7);
    expect(
      stats.perCategory.find((c: { category: string }) => c.category === 'lost_or_stolen_card').count,
    ).toBeGreaterThanOrEqual(6);
    expect(stats.suggestions).toMatchObject({ accepted: 1, edited: 1 });
    expect(stats.agreement.at(-1)).toMatchObject({ total: 3, agree: 2 });
  });
});
