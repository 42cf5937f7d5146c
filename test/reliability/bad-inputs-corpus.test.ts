import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signChatwoot } from '../../src/channels/chatwoot/signature.js';
import { signSlack } from '../../src/channels/slack/signature.js';
import { TEST_API_KEY } from '../helpers/config.js';
import type { Endpoint } from '../helpers/endpoints.js';
import { CHANNEL_ENV, row } from '../helpers/gateway.js';
import {
  bitrixMessage,
  chatwootMessage,
  slackMessage,
  telegramMessage,
  toBitrixForm,
} from '../helpers/platforms.js';
import { type RawResponse, rawExchange } from '../helpers/raw-http.js';
import {
  type Answer,
  type BadInputGateway,
  expectRefusal,
  expectValidSucceeds,
  send,
  startBadInputGateway,
  storedMarks,
} from '../helpers/refusals.js';
import { recordFigures } from '../helpers/reliability.js';

const LIMIT = 16 * 1024;
const SECRET = CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET;
const nowS = () => Math.floor(Date.now() / 1000);
const RLO = '\u202e'; // right-to-left override

let b: BadInputGateway;
let n = 50_000_000;
const figures = { cases: 0, refused: 0, acceptedAsSent: 0 };

beforeAll(async () => {
  b = await startBadInputGateway(LIMIT);
});
afterAll(async () => {
  recordFigures('bad-inputs-corpus', figures);
  await b?.close();
});

const endpoint = (name: string): Endpoint => b.endpoints.find((e) => e.name === name)!;

/** A request to `name` with the right media type and credentials unless overridden. */
function req(name: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const e = endpoint(name);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return send(b.gw.url, {
    path: e.path,
    headers: { 'content-type': e.contentType, ...e.auth(bytes), ...headers },
    body: bytes,
  });
}

/** A request written byte by byte, for what fetch will not send; the answers read off the wire. */
async function raw(head: string[], body: string | Buffer, o: { end?: boolean } = {}): Promise<Answer[]> {
  const lines = [...head, `Host: ${new URL(b.gw.url).host}`, 'Connection: close'];
  const headBytes = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  const r = await rawExchange(b.gw.url, [Buffer.concat([headBytes, Buffer.from(body)])], { end: o.end });
  return r.responses.map((x: RawResponse) => ({
    status: x.status,
    contentType: x.headers['content-type'] ?? '',
    body: x.body,
  }));
}

const telegramHead = (extra: string[]) => [
  'POST /webhooks/telegram/bank-support HTTP/1.1',
  'Content-Type: application/json',
  `X-Telegram-Bot-Api-Secret-Token: ${SECRET}`,
  ...extra,
];

const update = (text = 'my card has not arrived') =>
  JSON.stringify(telegramMessage(n++, text, { chatId: 778 }));

/**
 * A corpus case: what is sent to which endpoint, and the refusal it must get. After it,
 * nothing may have been stored and a valid request to the same endpoint must succeed.
 */
async function refused(
  name: string,
  status: number,
  code: string,
  answers: Answer | Answer[] | Promise<Answer | Answer[]>,
) {
  const before = storedMarks(b.gw, b.replyConversation);
  const list = [await answers].flat();
  expect(list.length).toBeGreaterThan(0);
  for (const a of list) expectRefusal(a, status, [code]);
  expect(storedMarks(b.gw, b.replyConversation)).toBe(before);
  await expectValidSucceeds(b, endpoint(name), n++);
  figures.cases++;
  figures.refused++;
}

describe('the bad-input corpus', () => {
  it('refuses malformed and deeply nested JSON', async () => {
    for (const body of [
      '{',
      '{"update_id":1,}',
      '{"update_id":01}',
      "{'update_id':1}",
      '{"update_id":1}{"update_id":2}',
      'NaN',
      '\ufeff',
    ])
      await refused('telegram', 400, 'invalid_json', req('telegram', body));
    await refused('telegram', 400, 'invalid_json', req('telegram', `${'['.repeat(5000)}${']'.repeat(5000)}`));
    await refused(
      'rest-tickets',
      400,
      'invalid_json',
      req('rest-tickets', `{"text":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`),
    );
    await refused('slack', 400, 'invalid_json', req('slack', `${'['.repeat(65)}${']'.repeat(65)}`));
  });

  it('refuses bodies over the limit: declared, chunked, declared huge, or with a lying Content-Length', async () => {
    const big = update('x'.repeat(LIMIT));
    await refused('telegram', 413, 'payload_too_large', req('telegram', big));
    const chunked = send(b.gw.url, {
      path: endpoint('telegram').path,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: Buffer.from(big),
      chunked: true,
    });
    await refused('telegram', 413, 'payload_too_large', chunked);
    await refused(
      'telegram',
      413,
      'payload_too_large',
      raw(telegramHead(['Content-Length: 1000000000000000']), ''),
    );
    // Content-Length smaller than the body: the rest is read as another request, and is garbage.
    await refused('telegram', 400, 'bad_request', raw(telegramHead(['Content-Length: 100']), big));
    // Content-Length larger than the body: the client gives up and closes.
    await refused(
      'telegram',
      400,
      'bad_request',
      raw(telegramHead(['Content-Length: 9000']), update(), { end: true }),
    );
    // Both Content-Length and Transfer-Encoding: a request smuggling attempt.
    const body = update();
    const smuggled = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    await refused(
      'telegram',
      400,
      'bad_request',
      raw(telegramHead([`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked']), smuggled),
    );
    await refused(
      'telegram',
      400,
      'bad_request',
      raw(telegramHead(['Content-Length: 10', 'Content-Length: 12']), '{"a":1}    '),
    );
    await refused('telegram', 400, 'bad_request', raw(telegramHead(['Content-Length: -1']), ''));
    const longPassword = JSON.stringify({ login: 'ann', password: 'p'.repeat(5000) });
    await refused('console-sign-in', 413, 'payload_too_large', req('console-sign-in', longPassword));
  });

  it('refuses wrong content types', async () => {
    const body = update();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json-seq',
      'json',
    ])
      await refused(
        'telegram',
        415,
        'unsupported_media_type',
        req('telegram', body, { 'content-type': type }),
      );
    const noType = [
      'POST /webhooks/telegram/bank-support HTTP/1.1',
      `X-Telegram-Bot-Api-Secret-Token: ${SECRET}`,
      `Content-Length: ${body.length}`,
    ];
    await refused('telegram', 415, 'unsupported_media_type', raw(noType, body));
    const form = toBitrixForm(bitrixMessage('https://x/', n++, 'hi')).toString();
    await refused(
      'bitrix24',
      415,
      'unsupported_media_type',
      req('bitrix24', form, { 'content-type': 'text/plain' }),
    );
    const formTicket = req('rest-tickets', 'text=hi', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    await refused('rest-tickets', 415, 'unsupported_media_type', formTicket);
  });

  it('refuses missing and wrong credentials, and signed timestamps outside the window either way', async () => {
    const body = update();
    await refused(
      'telegram',
      401,
      'unauthorized',
      req('telegram', body, { 'x-telegram-bot-api-secret-token': '' }),
    );
    const upper = { 'x-telegram-bot-api-secret-token': SECRET.toUpperCase() };
    await refused('telegram', 401, 'unauthorized', req('telegram', body, upper));
    // The secret followed by a right-to-left override, as raw UTF-8 header bytes.
    const rlo = [
      'POST /webhooks/telegram/bank-support HTTP/1.1',
      'Content-Type: application/json',
      `X-Telegram-Bot-Api-Secret-Token: ${SECRET}${RLO}`,
      `Content-Length: ${body.length}`,
    ];
    await refused('telegram', 401, 'unauthorized', raw(rlo, body));
    const slackBody = JSON.stringify(slackMessage(`Ev${n++}`, 'hi', { channel: 'D778' }));
    const slackSecret = CHANNEL_ENV.BANK_SUPPORT_SLACK_SIGNING_SECRET;
    const slackSigned = (ts: string, signature: string) =>
      req('slack', slackBody, { 'x-slack-request-timestamp': ts, 'x-slack-signature': signature });
    for (const offset of [-301, 301, -86_400 * 365, 86_400 * 365]) {
      const ts = String(nowS() + offset);
      await refused('slack', 401, 'unauthorized', slackSigned(ts, signSlack(slackSecret, ts, slackBody)));
    }
    const ts = String(nowS());
    const v1 = `v1=${signSlack(slackSecret, ts, slackBody).slice(3)}`;
    await refused('slack', 401, 'unauthorized', slackSigned(ts, v1));
    await refused(
      'slack',
      401,
      'unauthorized',
      slackSigned(ts, signSlack(slackSecret, ts, slackBody).toUpperCase()),
    );
    // The timestamp with a combining mark after it, as raw UTF-8 header bytes.
    const marked = [
      'POST /webhooks/slack/bank-support HTTP/1.1',
      'Content-Type: application/json',
      `X-Slack-Request-Timestamp: ${ts}\u0301`,
      `X-Slack-Signature: ${signSlack(slackSecret, ts, slackBody)}`,
      `Content-Length: ${Buffer.byteLength(slackBody)}`,
    ];
    await refused('slack', 401, 'unauthorized', raw(marked, slackBody));
    const cwBody = JSON.stringify(chatwootMessage(n++, 'hi', { conversationId: 778 }));
    const cwSecret = CHANNEL_ENV.BANK_SUPPORT_CHATWOOT_HMAC_SECRET;
    for (const offset of [-301, 301]) {
      const t = String(nowS() + offset);
      await refused(
        'chatwoot',
        401,
        'unauthorized',
        req('chatwoot', cwBody, {
          'x-chatwoot-timestamp': t,
          'x-chatwoot-signature': signChatwoot(cwSecret, t, cwBody),
        }),
      );
    }
    await refused(
      'chatwoot',
      401,
      'unauthorized',
      req('chatwoot', cwBody, {
        'x-chatwoot-timestamp': ts,
        'x-chatwoot-signature': signChatwoot(cwSecret, ts, `${cwBody} `),
      }),
    );
    await refused(
      'rest-tickets',
      401,
      'unauthorized',
      req('rest-tickets', '{"text":"hi"}', { authorization: `bearer  ${TEST_API_KEY}x` }),
    );
    await refused(
      'console-sign-in',
      401,
      'unauthorized',
      req('console-sign-in', JSON.stringify({ login: 'ann', password: 'not-her-password' })),
    );
  });

  it('refuses prototype-pollution keys, in JSON and in Bitrix24 forms', async () => {
    await refused(
      'telegram',
      400,
      'invalid_json',
      req('telegram', update().replace('{', '{"__proto__":{"polluted":true},')),
    );
    await refused(
      'rest-tickets',
      400,
      'invalid_json',
      req('rest-tickets', '{"text":"hi","customer":{"__proto__":{"polluted":1}}}'),
    );
    await refused(
      'rest-tickets',
      400,
      'validation_failed',
      req('rest-tickets', '{"text":"hi","constructor":{"prototype":{"polluted":1}}}'),
    );
    for (const key of ['__proto__[polluted]', 'constructor[prototype][polluted]', 'data[prototype][x]'])
      await refused(
        'bitrix24',
        400,
        'bad_request',
        req('bitrix24', `${key}=1&event=ONIMBOTMESSAGEADD`, {
          'content-type': 'application/x-www-form-urlencoded',
        }),
      );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses Unicode that is not text or not an identifier: lone surrogates, invalid UTF-8, NUL and direction marks in ids', async () => {
    await refused(
      'telegram',
      400,
      'invalid_json',
      req('telegram', update('card \\ud800 lost').replace('\\\\ud800', '\\ud800')),
    );
    await refused('telegram', 400, 'invalid_json', req('telegram', update('x').replace('"x"', '"\\udfff"')));
    await refused(
      'telegram',
      400,
      'bad_request',
      req(
        'telegram',
        Buffer.concat([
          Buffer.from(update('ab').split('ab')[0]!),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from(update('ab').split('ab')[1]!),
        ]),
      ),
    );
    await refused(
      'rest-tickets',
      400,
      'bad_request',
      req(
        'rest-tickets',
        Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
      ),
    );
    await refused(
      'rest-tickets',
      400,
      'validation_failed',
      req('rest-tickets', JSON.stringify({ text: 'hi', external_id: `crm${'\u0301'.repeat(1000)}` })),
    );
    await refused(
      'rest-tickets',
      404,
      'not_found',
      req('rest-tickets', JSON.stringify({ text: 'hi', bot: `bank-support${RLO}` })),
    );
    await refused(
      'rest-tickets',
      400,
      'validation_failed',
      req('rest-tickets', JSON.stringify({ text: 'hi', callback_url: 'http://crm\u0000.example/' })),
    );
    await refused(
      'chatwoot',
      400,
      'validation_failed',
      req('chatwoot', JSON.stringify({ ...chatwootMessage(n++, 'hi'), id: `١٢٣` })),
    );
    // The bot's name with a right-to-left override: another bot, which does not exist.
    const spoofed = `/webhooks/telegram/bank-support${encodeURIComponent(RLO)}`;
    await refused(
      'telegram',
      404,
      'not_found',
      send(b.gw.url, {
        path: spoofed,
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: Buffer.from(update()),
      }),
    );
    // NUL in a header: the HTTP parser refuses the request.
    await refused(
      'telegram',
      400,
      'bad_request',
      raw(telegramHead(['X-Note: a\u0000b', 'Content-Length: 2']), '{}'),
    );
  });

  it('takes well-formed Unicode text as sent: NUL, direction marks, 1,000 combining marks, NFC and NFD kept apart', async () => {
    const texts = [
      'card\u0000lost',
      `${RLO}my card has not arrived`,
      `e${'\u0301'.repeat(1000)}`,
      'кафе café'.normalize('NFC'),
      'кафе café'.normalize('NFD'),
      '👩🏽‍💻 card',
    ];
    for (const text of texts) {
      const id = n++;
      const res = await req('telegram', JSON.stringify(telegramMessage(id, text, { chatId: 779 })));
      expect(res.status).toBe(200);
      const stored = row(
        b.gw,
        'SELECT m.text FROM messages m JOIN inbound_deliveries d ON d.message_id = m.id WHERE d.delivery_id = ?',
        String(id),
      );
      expect(stored.text).toBe(text);
      const ticket = await req('rest-tickets', JSON.stringify({ text, external_id: `unicode-${id}` }));
      expect(ticket.status).toBe(201);
      figures.cases++;
      figures.acceptedAsSent++;
    }
    // The same words in NFC and NFD are two different strings: two external ids, two tickets.
    const nfc = await req(
      'rest-tickets',
      JSON.stringify({ text: 'hi', external_id: 'café'.normalize('NFC') }),
    );
    const nfd = await req(
      'rest-tickets',
      JSON.stringify({ text: 'hi', external_id: 'café'.normalize('NFD') }),
    );
    expect([nfc.status, nfd.status]).toEqual([201, 201]);
  });
});
