import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/core/events.js';
import type { Gateway } from '../../src/server.js';
import { authHeaders } from '../helpers/config.js';
import { row, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

let api: PlatformStandIn;
let gw: Gateway;
const events: GatewayEvent[] = [];

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await startTestGateway({ standIn: api });
  gw.core.events.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await gw.close();
  await api.close();
});

const call = (path: string, body?: unknown) =>
  fetch(`${gw.url}/api/v1/conversations${path}`, {
    method: body === undefined && !path.endsWith('handback') ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...authHeaders },
  });
const toChat = (chatId: number) =>
  api
    .accepted()
    .filter((r) => r.body?.chat_id === chatId)
    .map((r) => r.body.text);

describe('operators', () => {
  it('reply through the customer’s own channel, after which the bot stays silent until handed back', async () => {
    await postTelegram(gw, telegramMessage(9001, 'my card has not arrived', { chatId: 9000 }));
    await waitFor(() => toChat(9000).length === 1);
    const id = row(gw, "SELECT id FROM conversations WHERE external_chat_id = '9000'").id;

    const reply = await call(`/${id}/messages`, {
      operator: 'anna',
      text: 'Hello, Anna here: I have checked, it ships today.',
    });
    expect(reply.status).toBe(201);
    expect((await json(reply)).conversation).toMatchObject({ status: 'assigned', assigned_operator: 'anna' });
    await waitFor(() => toChat(9000).length === 2);
    expect(toChat(9000)[1]).toBe('Hello, Anna here: I have checked, it ships today.');

    await postTelegram(gw, telegramMessage(9002, 'what exchange rate do you use?', { chatId: 9000 }));
    await waitFor(() =>
      row(
        gw,
        "SELECT action FROM decisions d JOIN messages m ON m.id = d.message_id WHERE m.external_id = '10367'",
      ),
    );
    await sleep(100);
    expect(toChat(9000)).toHaveLength(2);

    const back = await call(`/${id}/handback`);
    expect((await json(back)).status).toBe('bot');
    await postTelegram(gw, telegramMessage(9003, 'and the exchange rate?', { chatId: 9000 }));
    await waitFor(() => toChat(9000).length === 3);
    expect(toChat(9000)[2]).toBe('We use the interbank exchange rate, updated every minute.');

    const history = await json(await call(`/${id}`));
    expect(history.messages.map((m: { author: string }) => m.author)).toEqual([
      'customer',
      'bot',
      'operator',
      'customer',
      'customer',
      'bot',
    ]);
  });

  it('see every step on the event bus, without customer text', async () => {
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'message.received',
      'message.decided',
      'conversation.changed',
      'reply.queued',
      'reply.sent',
    ]) {
      expect(types).toContain(t);
    }
    expect(JSON.stringify(events)).not.toMatch(/has not arrived|rate do you use|Anna here|interbank/);
  });

  it('get 404 for a conversation that does not exist and 400 for an empty reply', async () => {
    expect((await call('/999999/messages', { operator: 'a', text: 'hi' })).status).toBe(404);
    expect((await call('/1/messages', { operator: 'a', text: ' ' })).status).toBe(400);
  });
});

describe('when the nets keep failing', () => {
  it('the message is handed to the operators after the last attempt, not lost', async () => {
    const local = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
    const broken = await startTestGateway({
      standIn: local,
      config: { NEURODESK_JOB_MAX_ATTEMPTS: '2' },
      classifier: { classify: () => Promise.reject(new Error('weights file is corrupt')) },
    });
    try {
      await postTelegram(broken, telegramMessage(9101, 'my card has not arrived', { chatId: 9100 }));
      const sent = await local.waitForAccepted((r) => r.body?.chat_id === 9100);
      expect(sent.body.text).toMatch(/passing your question to a member of our support team/);
      expect(row(broken, 'SELECT action, reason, queue FROM decisions')).toEqual({
        action: 'handoff',
        reason: 'not_classified',
        queue: 'general',
      });
      expect(row(broken, 'SELECT status, attempts FROM jobs')).toEqual({ status: 'done', attempts: 2 });
    } finally {
      await broken.close();
      await local.close();
    }
  });

  it('keeps the classification when only the answer suggester fails, so the handoff goes to the right queue', async () => {
    const local = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
    const broken = await startTestGateway({
      standIn: local,
      config: { NEURODESK_JOB_MAX_ATTEMPTS: '2' },
      suggester: { suggest: () => Promise.reject(new Error('answer vectors not ready')) },
    });
    try {
      await postTelegram(broken, telegramMessage(9102, 'my card has not arrived', { chatId: 9102 }));
      await local.waitForAccepted((r) => r.body?.chat_id === 9102);
      expect(row(broken, 'SELECT action, reason, category, queue FROM decisions')).toEqual({
        action: 'handoff',
        reason: 'no_answer',
        category: 'card_arrival',
        queue: 'cards',
      });
      expect(row(broken, "SELECT COUNT(*) AS n FROM predictions WHERE kind = 'classify'")).toEqual({ n: 1 });
    } finally {
      await broken.close();
      await local.close();
    }
  });
});
