import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueFor } from '../../src/core/policy.js';
import { locateNet } from '../../src/nets/net-folder.js';
import type { Gateway } from '../../src/server.js';
import { CHANNEL_ENV, counts, row, rows, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import {
  postTelegram,
  telegramCallback,
  telegramInlineCallback,
  telegramMessage,
} from '../helpers/platforms.js';
import { kbAnswer } from '../helpers/real-nets.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

let api: PlatformStandIn;
let gw: Gateway;
const method = (name: string) => `/telegram/bot${CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_BOT_TOKEN}/${name}`;

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 777 } } }));
  gw = await startTestGateway({ standIn: api, nets: 'default' });
});
afterAll(async () => {
  await gw.close();
  await api.close();
});

describe('telegram webhook', () => {
  it('stores a message once, classifies it and answers with sendMessage and a talk-to-a-person button', async () => {
    const res = await postTelegram(
      gw,
      telegramMessage(10001, 'My card has still not arrived', { chatId: 5001 }),
    );
    expect(res.status).toBe(200);
    const sent = await api.waitForAccepted(
      (r) => r.path === method('sendMessage') && r.body.chat_id === 5001,
    );
    expect(sent.body).toEqual({
      chat_id: 5001,
      text: kbAnswer('card_arrival'),
      reply_markup: { inline_keyboard: [[{ text: 'Talk to a person', callback_data: 'handoff' }]] },
    });
    const m = row(gw, "SELECT id, text FROM messages WHERE direction = 'in' AND external_id = ?", '11366');
    expect(m.text).toBe('My card has still not arrived');
    expect(row(gw, 'SELECT action, category, reason FROM decisions WHERE message_id = ?', m.id)).toEqual({
      action: 'auto_reply',
      category: 'card_arrival',
      reason: 'confident',
    });
    const predictions = rows(
      gw,
      'SELECT kind, net_name, net_version FROM predictions WHERE message_id = ? ORDER BY kind',
      m.id,
    );
    expect(predictions).toEqual([
      {
        kind: 'classify',
        net_name: 'bank-classifier',
        net_version: locateNet('nets/bank-classifier').version,
      },
      { kind: 'suggest', net_name: 'bank-qa', net_version: locateNet('nets/bank-qa').version },
    ]);
    await waitFor(() =>
      row(
        gw,
        "SELECT 1 AS ok FROM outbox WHERE status = 'sent' AND conversation_id = (SELECT conversation_id FROM messages WHERE id = ?)",
        m.id,
      ),
    );
  });

  it('answers 401 and stores nothing when the secret token is wrong or missing', async () => {
    const before = await settledCounts(gw);
    for (const secret of ['wrong-secret', null, `${CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET}x`]) {
      const res = await postTelegram(gw, telegramMessage(10002, 'hello'), secret);
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({
        error: { code: 'unauthorized', message: 'authentication required' },
      });
    }
    expect(counts(gw)).toEqual(before);
  });

  it('answers 200 to a replayed update and stores nothing new', async () => {
    const update = telegramMessage(10003, 'What is your exchange rate?', { chatId: 5003 });
    expect((await postTelegram(gw, update)).status).toBe(200);
    await api.waitForAccepted((r) => r.body?.chat_id === 5003);
    const before = await settledCounts(gw);
    const replay = await postTelegram(gw, {
      ...update,
      message: { ...update.message, text: 'changed on replay' },
    });
    expect(replay.status).toBe(200);
    await sleep(100);
    expect(counts(gw)).toEqual(before);
    expect(api.accepted().filter((r) => r.body?.chat_id === 5003)).toHaveLength(1);
  });

  it('answers 400 to a malformed body and to an update that is not one', async () => {
    const before = await settledCounts(gw);
    const broken = await postTelegram(gw, '{"update_id": 1, "message": ');
    expect(broken.status).toBe(400);
    expect((await json(broken)).error.code).toBe('invalid_json');
    const wrong = await postTelegram(gw, { message: { text: 'no update_id' } });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).error).toMatchObject({ code: 'validation_failed' });
    expect(counts(gw)).toEqual(before);
  });

  it('hands a Russian message about a stolen card to the operators, in Russian', async () => {
    await postTelegram(
      gw,
      telegramMessage(10004, 'У меня украли карту, что делать?', { chatId: 5004, languageCode: 'ru' }),
    );
    const sent = await api.waitForAccepted((r) => r.body?.chat_id === 5004);
    expect(sent.body.text).toBe(
      'Спасибо, Test Lastname. Передаю ваш вопрос сотруднику поддержки, он ответит здесь в ближайшее время.',
    );
    expect(sent.body.reply_markup).toBeUndefined();
    const c = row(
      gw,
      "SELECT id, status, queue, language FROM conversations WHERE external_chat_id = '5004'",
    );
    expect(c).toMatchObject({ status: 'queued', language: 'ru' });
    // The bilingual classifier reads it as a stolen card: the security queue.
    const d = row(
      gw,
      "SELECT action, category FROM decisions WHERE message_id = (SELECT MAX(id) FROM messages WHERE conversation_id = ? AND direction = 'in')",
      c.id,
    );
    expect(d).toEqual({ action: 'handoff', category: 'lost_or_stolen_card' });
    expect(c.queue).toBe('security');
    expect(queueFor(gw.bots.get('bank-support')!, d.category)).toBe('security');
  });

  it('hands off when the customer presses "talk to a person", and answers the button', async () => {
    await postTelegram(gw, telegramMessage(10005, 'When will my card arrive?', { chatId: 5005 }));
    await api.waitForAccepted((r) => r.body?.chat_id === 5005);
    expect((await postTelegram(gw, telegramCallback(10006, 'handoff', 5005))).status).toBe(200);
    const answered = await api.waitForAccepted((r) => r.path === method('answerCallbackQuery'));
    expect(answered.body).toEqual({ callback_query_id: '4382bfdwdsb323b2d910006' });
    const handoff = await api.waitForAccepted(
      (r) => r.body?.chat_id === 5005 && r.body.text.startsWith('Thank you'),
    );
    expect(handoff.body.text).toContain('passing your question to a member of our support team');
    expect(row(gw, "SELECT status FROM conversations WHERE external_chat_id = '5005'").status).toBe('queued');
  });

  it('keeps an edited message for the record without answering it again', async () => {
    const original = telegramMessage(10007, 'card not arrived', { chatId: 5007 });
    await postTelegram(gw, original);
    await api.waitForAccepted((r) => r.body?.chat_id === 5007);
    const edit = {
      update_id: 10008,
      edited_message: { ...original.message, text: 'card not arrived yet', edit_date: 1441645600 },
    };
    expect((await postTelegram(gw, edit)).status).toBe(200);
    await sleep(150);
    expect(
      rows(
        gw,
        "SELECT text FROM messages WHERE direction = 'in' AND conversation_id = (SELECT id FROM conversations WHERE external_chat_id = '5007')",
      ),
    ).toEqual([{ text: 'card not arrived' }, { text: 'card not arrived yet' }]);
    expect(api.accepted().filter((r) => r.body?.chat_id === 5007)).toHaveLength(1);
  });

  it('answers a sticker (no text, no caption) with the fallback template', async () => {
    const update = telegramMessage(10010, '', { chatId: 5010 }) as { message: Record<string, unknown> };
    delete update.message.text;
    update.message.sticker = {
      file_id: 'CAACAgIAAxkBAAIB',
      file_unique_id: 'AgADAgAD',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
    };
    expect((await postTelegram(gw, update)).status).toBe(200);
    const sent = await api.waitForAccepted((r) => r.body?.chat_id === 5010);
    expect(sent.body.text).toBe(
      'Sorry, I can only read text messages. Please describe your question in a few words.',
    );
  });

  it('acknowledges updates it does not handle without storing them', async () => {
    const before = await settledCounts(gw);
    const res = await postTelegram(gw, {
      update_id: 10009,
      my_chat_member: { chat: { id: 1, type: 'private' } },
    });
    expect(res.status).toBe(200);
    expect(counts(gw)).toEqual(before);
  });

  it('counts messages, decisions and reply attempts in /metrics', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/neurodesk_inbound_messages_total\{channel="telegram"\} [1-9]/);
    expect(text).toMatch(/neurodesk_decisions_total\{action="auto_reply"\} [1-9]/);
    expect(text).toMatch(/neurodesk_decisions_total\{action="handoff"\} [1-9]/);
    expect(text).toMatch(/neurodesk_reply_attempts_total\{channel="telegram",result="sent"\} [1-9]/);
  });

  it('answers 404 for a bot that does not exist', async () => {
    const res = await fetch(`${gw.url}/webhooks/telegram/no-such-bot`, {
      method: 'POST',
      body: JSON.stringify(telegramMessage(1, 'hi')),
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'x' },
    });
    expect(res.status).toBe(404);
  });
});

describe('telegram suggested answers', () => {
  it('offers the answers the bot hesitated between as buttons, and sends the one the customer picks', async () => {
    const local = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 9 } } }));
    const close = [
      {
        answerId: 201,
        category: 'card_arrival',
        score: 0.8,
        text: 'Cards arrive within 3 working days of your order; you can follow the delivery in the app.',
      },
      {
        answerId: 202,
        category: 'card_delivery_estimate',
        score: 0.79,
        text: 'Delivery estimates are shown in the app.',
      },
    ];
    const hesitant = await startTestGateway({
      nets: 'default',
      standIn: local,
      suggester: {
        suggest: async (net) => ({
          suggestions: close,
          net: { name: net, version: 'v' },
          threshold: 0.5,
          latencyMs: 1,
        }),
      },
    });
    try {
      await postTelegram(
        hesitant,
        telegramMessage(20001, 'my new card has not arrived yet, when will it come?', { chatId: 6001 }),
      );
      const handoff = await local.waitForAccepted((r) => r.body?.chat_id === 6001);
      expect(handoff.body.text).toMatch(/passing your question/);
      expect(handoff.body.reply_markup).toEqual({
        inline_keyboard: [
          [
            {
              text: 'Cards arrive within 3 working days of your order; you can…',
              callback_data: 'answer:201',
            },
          ],
          [{ text: 'Delivery estimates are shown in the app.', callback_data: 'answer:202' }],
        ],
      });
      await postTelegram(hesitant, telegramCallback(20002, 'answer:202', 6001));
      const picked = await local.waitForAccepted(
        (r) => r.body?.chat_id === 6001 && r.body.text === close[1]!.text,
      );
      expect(picked.body.reply_markup.inline_keyboard[0][0].callback_data).toBe('handoff');
      await local.waitForAccepted((r) => r.path.endsWith('/answerCallbackQuery'));
      expect(row(hesitant, "SELECT status FROM conversations WHERE external_chat_id = '6001'").status).toBe(
        'queued',
      );
    } finally {
      await hesitant.close();
      await local.close();
    }
  });
});

describe('telegram callback queries the bot does not act on', () => {
  // Until answerCallbackQuery is called the user's button shows a spinner.
  it('answers a button from a stale keyboard (data the bot does not know), storing nothing', async () => {
    const before = await settledCounts(gw);
    expect((await postTelegram(gw, telegramCallback(10101, 'menu:old-tariffs', 5101))).status).toBe(200);
    const answered = await api.waitForAccepted(
      (r) =>
        r.path === method('answerCallbackQuery') && r.body.callback_query_id === '4382bfdwdsb323b2d910101',
    );
    expect(answered.body).toEqual({ callback_query_id: '4382bfdwdsb323b2d910101' });
    expect(counts(gw).inbound).toBe(before.inbound);
  });

  it('answers a button under an inline-mode message (inline_message_id, no message)', async () => {
    expect((await postTelegram(gw, telegramInlineCallback(10102, 'handoff'))).status).toBe(200);
    const answered = await api.waitForAccepted(
      (r) =>
        r.path === method('answerCallbackQuery') && r.body.callback_query_id === '4382bfdwdsb323b2d910102',
    );
    expect(answered.body).toEqual({ callback_query_id: '4382bfdwdsb323b2d910102' });
  });
});
