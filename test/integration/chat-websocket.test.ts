import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { authHeaders } from '../helpers/config.js';
import { operatorsConfig, signIn } from '../helpers/console-client.js';
import { counts, row, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { rawExchange } from '../helpers/raw-http.js';
import { ChatClient } from '../helpers/ws-client.js';

let gw: Gateway;
let wsUrl: string;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { NEURODESK_WS_HEARTBEAT: '100ms', NEURODESK_CHAT_MAX_PAYLOAD: '1kb' },
  });
  wsUrl = `${gw.url.replace('http', 'ws')}/ws/chat?bot=bank-support`;
});
afterAll(async () => {
  await gw.close();
});

const operatorReply = (conversationId: number, text: string) =>
  fetch(`${gw.url}/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    body: JSON.stringify({ operator: 'anna', text }),
    headers: { 'content-type': 'application/json', ...authHeaders },
  });

describe('customer chat websocket', () => {
  it('greets a new chat, acknowledges a message once stored, and delivers the bot’s reply', async () => {
    const c = await ChatClient.connect(`${wsUrl}&lang=ru`);
    const ready = await c.next();
    expect(ready).toMatchObject({ type: 'ready', resumed: false });
    expect(ready.conversation).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await c.next()).toMatchObject({
      type: 'message',
      author: 'bot',
      text: expect.stringMatching(/^Здравствуйте!/),
    });
    c.send({ type: 'message', id: 'm1', text: 'Когда придёт моя карта? Доставка задерживается' });
    const ack = await c.next();
    expect(ack).toMatchObject({ type: 'ack', id: 'm1', duplicate: false });
    const reply = await c.next();
    expect(reply).toMatchObject({
      type: 'message',
      author: 'bot',
      text: 'Cards arrive within 3 working days; you can track yours in the app.',
      buttons: [{ text: 'Позвать сотрудника', action: 'handoff' }],
    });
    expect(reply.id).toBeGreaterThan(ack.message_id);
    await c.close();
  });

  it('resumes by conversation token with the messages after the last one seen, including replies sent while away', async () => {
    const first = await ChatClient.connect(wsUrl);
    const { conversation } = await first.next();
    await first.next(); // greeting
    first.send({ type: 'message', id: 'a', text: 'my card was stolen' });
    const ack = await first.next();
    const handoff = await first.next();
    expect(handoff.text).toMatch(/passing your question/);
    await first.close();

    const conversationId = row(
      gw,
      'SELECT id FROM conversations WHERE external_chat_id = ?',
      conversation,
    ).id;
    expect((await operatorReply(conversationId, 'I have blocked your card.')).status).toBe(201);

    const back = await ChatClient.connect(`${wsUrl}&conversation=${conversation}&after=${ack.message_id}`);
    expect(await back.next()).toEqual({ type: 'ready', conversation, resumed: true });
    const history = await back.next();
    expect(history.type).toBe('history');
    expect(history.messages.map((m: { author: string; text: string }) => [m.author, m.text])).toEqual([
      ['bot', handoff.text],
      ['operator', 'I have blocked your card.'],
    ]);
    // And live, while connected.
    await operatorReply(conversationId, 'A new card is on its way.');
    expect(await back.next()).toMatchObject({
      type: 'message',
      author: 'operator',
      text: 'A new card is on its way.',
    });
    await back.close();
  });

  it('starts a fresh conversation for an unknown token instead of adopting it', async () => {
    const c = await ChatClient.connect(`${wsUrl}&conversation=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    const ready = await c.next();
    expect(ready.resumed).toBe(false);
    expect(ready.conversation).not.toBe('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await c.close();
  });

  it('treats a repeated client message id as a replay', async () => {
    const c = await ChatClient.connect(wsUrl);
    await c.next();
    await c.next();
    c.send({ type: 'message', id: 'same', text: 'exchange rate?' });
    const first = await c.next();
    await c.next(); // the reply
    const before = await settledCounts(gw);
    c.send({ type: 'message', id: 'same', text: 'exchange rate?' });
    expect(await c.next()).toEqual({
      type: 'ack',
      id: 'same',
      message_id: first.message_id,
      duplicate: true,
    });
    expect(counts(gw)).toEqual(before);
    await c.close();
  });

  it('answers a malformed frame with an error and stays open', async () => {
    const c = await ChatClient.connect(wsUrl);
    await c.next();
    await c.next();
    c.send('{not json');
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_json' });
    c.send({ type: 'message', id: 'x', text: '' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'validation_failed' });
    c.send({ type: 'message', id: 'ok', text: 'card arrival' });
    expect(await c.next()).toMatchObject({ type: 'ack', id: 'ok' });
    await c.close();
  });

  it('hands off when the customer presses the talk-to-a-person button', async () => {
    const c = await ChatClient.connect(wsUrl);
    await c.next();
    await c.next();
    c.send({ type: 'message', id: 'q', text: 'what exchange rate do you use' });
    await c.next();
    const answer = await c.next();
    expect(answer.buttons).toEqual([{ text: 'Talk to a person', action: 'handoff' }]);
    c.send({ type: 'action', id: 'press-1', action: 'handoff' });
    expect(await c.next()).toMatchObject({ type: 'ack', id: 'press-1' });
    expect(await c.next()).toMatchObject({
      type: 'message',
      author: 'bot',
      text: expect.stringMatching(/passing your question/),
    });
    await c.close();
  });

  it('closes with 1009 on a frame over the size limit', async () => {
    const c = await ChatClient.connect(wsUrl);
    c.send({ type: 'message', id: 'big', text: 'x'.repeat(2000) });
    expect((await c.closed).code).toBe(1009);
  });

  it('refuses browsers from other origins, unknown bots, and lets same-origin and non-browser clients in', async () => {
    await expect(
      ChatClient.connect(wsUrl, { headers: { origin: 'https://evil.example' } }),
    ).rejects.toMatchObject({
      status: 403,
    });
    await expect(
      ChatClient.connect(`${gw.url.replace('http', 'ws')}/ws/chat?bot=nobody`),
    ).rejects.toMatchObject({ status: 404 });
    await expect(ChatClient.connect(`${gw.url.replace('http', 'ws')}/ws/elsewhere`)).rejects.toMatchObject({
      status: 404,
    });
    const same = await ChatClient.connect(wsUrl, { headers: { origin: gw.url } });
    expect((await same.next()).type).toBe('ready');
    await same.close();
  });

  it('drops a client that stops answering pings', async () => {
    const c = await ChatClient.connect(wsUrl, { autoPong: false });
    const started = Date.now();
    const { code } = await c.closed;
    expect(code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('customer chat at shutdown', () => {
  it('closes open chats with 1001 (going away) and does not hold the shutdown', async () => {
    const local = await startTestGateway({ config: { NEURODESK_SHUTDOWN_TIMEOUT: '5s' } });
    const c = await ChatClient.connect(`${local.url.replace('http', 'ws')}/ws/chat?bot=bank-support`);
    await c.next();
    const started = Date.now();
    expect(await local.close()).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await c.closed).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});

describe('chat frames that are not Unicode text', () => {
  it('answer a lone surrogate with an error frame, store nothing, and keep the chat open', async () => {
    const gw = await startTestGateway();
    try {
      const c = await ChatClient.connect(`${gw.url.replace('http', 'ws')}/ws/chat?bot=bank-support`);
      await c.next(); // ready
      await c.next(); // greeting
      c.send('{"type":"message","id":"m1","text":"card \\ud800 lost"}');
      expect(await c.next()).toEqual({
        type: 'error',
        code: 'invalid_json',
        message: 'JSON string has a lone surrogate: not valid Unicode text',
      });
      expect(counts(gw).inbound).toBe(0);
      c.send({ type: 'message', id: 'm2', text: 'card 😀 lost' });
      expect(await c.next()).toMatchObject({ type: 'ack', id: 'm2', duplicate: false });
      await c.close();
    } finally {
      await gw.close();
    }
  });
});

describe('malformed websocket handshakes', () => {
  it('are refused in the error envelope, on the chat and the console alike', async () => {
    const gw = await startTestGateway({ config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig() } });
    try {
      const cookie = await signIn(gw.url, 'ann');
      const host = new URL(gw.url).host;
      const handshake = (path: string, method: string, headers: string[]) =>
        rawExchange(gw.url, [
          [
            `${method} ${path} HTTP/1.1`,
            `Host: ${host}`,
            'Connection: Upgrade',
            `Cookie: ${cookie}`,
            ...headers,
          ]
            .join('\r\n')
            .concat('\r\n\r\n'),
        ]);
      const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
      for (const path of ['/ws/chat?bot=bank-support', '/ws/console']) {
        const badKey = await handshake(path, 'GET', [
          'Upgrade: websocket',
          'Sec-WebSocket-Key: short',
          'Sec-WebSocket-Version: 13',
        ]);
        expect(badKey.responses[0]?.status).toBe(400);
        expect(JSON.parse(badKey.responses[0]!.body).error).toEqual({
          code: 'bad_request',
          message: 'not a websocket handshake: Missing or invalid Sec-WebSocket-Key header',
        });
        const oldVersion = await handshake(path, 'GET', [
          'Upgrade: websocket',
          key,
          'Sec-WebSocket-Version: 7',
        ]);
        expect(oldVersion.responses[0]?.status).toBe(400);
        expect(oldVersion.responses[0]?.headers['sec-websocket-version']).toBe('13');
        const post = await handshake(path, 'POST', ['Upgrade: websocket', key, 'Sec-WebSocket-Version: 13']);
        expect(post.responses[0]?.status).toBe(405);
        expect(JSON.parse(post.responses[0]!.body).error.code).toBe('method_not_allowed');
      }
    } finally {
      await gw.close();
    }
  });
});
