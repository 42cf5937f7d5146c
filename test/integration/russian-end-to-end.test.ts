import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/core/language.js';
import type { Gateway } from '../../src/server.js';
import { authHeaders } from '../helpers/config.js';
import { row, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { kbAnswer } from '../helpers/real-nets.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { ChatClient } from '../helpers/ws-client.js';

/**
 * A Russian-speaking customer on three channels, through real HTTP and websockets, with the
 * committed nets (the bilingual classifier and answer net) and the default knowledge base:
 * the right category, Russian suggestions in score order, and a Russian reply.
 */
let api: PlatformStandIn;
let gw: Gateway;

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await startTestGateway({ standIn: api, nets: 'default' });
});
afterAll(async () => {
  await gw?.close();
  await api?.close();
});

interface StoredSuggestion {
  answerId: number;
  text: string;
  score: number;
  category: string | null;
  language: string | null;
}

/** The decision stored for a conversation's latest customer message. */
function decisionOf(conversationId: number): {
  action: string;
  category: string;
  language: string;
  reply_text: string | null;
  suggestions: StoredSuggestion[];
} {
  const d = row(
    gw,
    `SELECT action, category, language, reply_text, suggestions FROM decisions WHERE message_id =
       (SELECT MAX(id) FROM messages WHERE conversation_id = ? AND direction = 'in')`,
    conversationId,
  );
  return { ...d, suggestions: JSON.parse(d.suggestions) };
}

/** Russian answers, best score first, the first of the message's own category. */
function expectRussianInScoreOrder(suggestions: StoredSuggestion[], category: string): void {
  expect(suggestions).toHaveLength(3);
  const scores = suggestions.map((s) => s.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const s of suggestions) {
    expect(s.language).toBe('ru');
    expect(detectLanguage(s.text)).toBe('ru');
  }
  expect(suggestions[0]!.category).toBe(category);
  expect(suggestions[0]!.text).toBe(kbAnswer(category, 'ru'));
}

describe('a Russian-speaking customer, end to end', () => {
  it('REST: a stolen card goes to the security queue with Russian answers and a Russian reply', async () => {
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: 'POST',
      body: JSON.stringify({
        text: 'Мою карту украли, заблокируйте её срочно',
        customer: { id: 'ru-1', name: 'Ольга' },
        external_id: 'RU-E2E-1',
      }),
      headers: { 'content-type': 'application/json', ...authHeaders },
    });
    expect(res.status).toBe(201);
    const t = await json(res);
    expect(t).toMatchObject({
      category: 'lost_or_stolen_card',
      queue: 'security',
      action: 'handoff',
      reason: 'sensitive_category',
      language: 'ru',
    });
    expect(t.reply).toBe(
      'Спасибо, Ольга. Передаю ваш вопрос сотруднику поддержки, он ответит здесь в ближайшее время.',
    );
    expectRussianInScoreOrder(decisionOf(t.conversation_id).suggestions, 'lost_or_stolen_card');
    // The REST response lists the same answers in the same order.
    expect(t.suggestions.map((s: { answer_id: number }) => s.answer_id)).toEqual(
      decisionOf(t.conversation_id).suggestions.map((s) => s.answerId),
    );
  });

  it('Telegram: a card that has not arrived gets the Russian answer about card delivery', async () => {
    const update = telegramMessage(20001, 'Карта так и не пришла, жду уже две недели. Где она?', {
      chatId: 6001,
      languageCode: 'ru',
    });
    expect((await postTelegram(gw, update)).status).toBe(200);
    const sent = await api.waitForAccepted(
      (r) => r.path.endsWith('/sendMessage') && r.body?.chat_id === 6001,
    );
    const c = row(gw, "SELECT id, language FROM conversations WHERE external_chat_id = '6001'");
    expect(c.language).toBe('ru');
    const d = decisionOf(c.id);
    expect(d.category).toBe('card_arrival');
    expectRussianInScoreOrder(d.suggestions, 'card_arrival');
    expect(detectLanguage(sent.body.text)).toBe('ru');
    expect(sent.body.text).toBe(d.reply_text);
    if (d.action === 'auto_reply') expect(sent.body.text).toBe(kbAnswer('card_arrival', 'ru'));
  });

  /**
   * A customer writes one message in the chat widget: the bot's reply, which must be in Russian,
   * and the id of the conversation, which the gateway must have stored as Russian.
   */
  async function chatInRussian(
    id: string,
    text: string,
  ): Promise<{ reply: { text: string }; conversationId: number }> {
    const chat = await ChatClient.connect(`${gw.url.replace('http', 'ws')}/ws/chat?bot=bank-support`);
    try {
      const ready = await chat.next();
      await chat.next(); // greeting, in the bot's default language until the customer writes
      chat.send({ type: 'message', id, text });
      expect(await chat.next()).toMatchObject({ type: 'ack', id });
      const reply = await chat.next(10_000);
      expect(reply).toMatchObject({ type: 'message', author: 'bot' });
      expect(detectLanguage(reply.text)).toBe('ru');
      const c = row(
        gw,
        'SELECT id, language FROM conversations WHERE external_chat_id = ?',
        ready.conversation,
      );
      expect(c.language).toBe('ru');
      return { reply, conversationId: c.id };
    } finally {
      await chat.close();
    }
  }

  it('chat websocket: a PIN question gets a Russian reply with Russian suggestions', async () => {
    const { reply, conversationId } = await chatInRussian('ru-1', 'Как поменять PIN-код моей карты?');
    const d = decisionOf(conversationId);
    expect(d.category).toBe('change_pin');
    expectRussianInScoreOrder(d.suggestions, 'change_pin');
    expect(reply.text).toBe(d.reply_text);
  });

  it('chat websocket: transliterated Russian is answered in Russian', async () => {
    const { conversationId } = await chatInRussian('tr-1', 'privet, gde moya karta? ona tak i ne prishla');
    for (const s of decisionOf(conversationId).suggestions) expect(s.language).toBe('ru');
  });
});
