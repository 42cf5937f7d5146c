/**
 * Every HTTP endpoint that takes a body, described once for the bad-input suite: where it
 * is, what a valid body looks like (unique per number), how a body is encoded and
 * authenticated, and which fields must have which type (a field of another type must be
 * refused). Generators and the corpus build their bad requests from these.
 */
import { signChatwoot } from '../../src/channels/chatwoot/signature.js';
import { signSlack } from '../../src/channels/slack/signature.js';
import { TEST_API_KEY } from './config.js';
import { CHANNEL_ENV } from './gateway.js';
import {
  B24,
  bitrixMessage,
  chatwootMessage,
  slackMessage,
  telegramMessage,
  toBitrixForm,
} from './platforms.js';

/** The JSON types a value can have (`int`: a safe integer; `number` includes `int`). */
export type JsonType = 'string' | 'int' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** A field and the JSON types it accepts: a value of any other type must be refused. */
export interface TypedField {
  path: string[];
  types: JsonType[];
}

/** The JSON type of a value. */
export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'int' : 'number';
  return typeof v as JsonType;
}

/** Whether a field accepts a value's type. */
export function typeAccepted(field: TypedField, v: unknown): boolean {
  const t = jsonTypeOf(v);
  return field.types.includes(t) || (t === 'int' && field.types.includes('number'));
}

/** One endpoint under test. */
export interface Endpoint {
  name: string;
  path: string;
  /** The media type a valid request has. */
  contentType: string;
  /** A valid payload, distinct for each `n` (a new delivery, not a replay). */
  payload(n: number): Record<string, unknown>;
  /** The payload's bytes as the endpoint takes them. */
  encode(payload: unknown): Buffer;
  /** Headers that authenticate `body` (a secret, a signature, a key, a cookie). */
  auth(body: Buffer): Record<string, string>;
  /** Fields that must be refused when given a value `valid` rejects. */
  typed: TypedField[];
  /** Headers that do not authenticate `body`, each with why (all must get 401). */
  badAuth?(
    payload: Record<string, unknown>,
    pick: (n: number) => number,
  ): Array<[string, Record<string, string>, Buffer]>;
  /** The endpoint's own body limit, when not the gateway's. */
  bodyLimit?: number;
  /** Whether the endpoint refuses a JSON body that is not an object (some acknowledge unknown envelopes). */
  objectsOnly: boolean;
}

const json = (p: unknown) => Buffer.from(JSON.stringify(p));
const nowS = () => Math.floor(Date.now() / 1000);

/** The signed-webhook cases that must all get 401: no signature, a wrong one, a stale or future timestamp. */
function signatureCases(
  sign: (secret: string, ts: string, body: Buffer) => string,
  sigHeader: string,
  tsHeader: string,
  secret: string,
) {
  return (
    payload: Record<string, unknown>,
    pick: (n: number) => number,
  ): Array<[string, Record<string, string>, Buffer]> => {
    const body = json(payload);
    const ts = String(nowS());
    const offset = 301 + pick(10 ** 8); // beyond the five minutes, up to three years
    const stale = String(nowS() - offset);
    const future = String(nowS() + offset);
    const other = Buffer.concat([body, Buffer.from(' ')]);
    const cases: Array<[string, Record<string, string>]> = [
      ['no signature', { [tsHeader]: ts }],
      ['no timestamp', { [sigHeader]: sign(secret, ts, body) }],
      ['another secret', { [tsHeader]: ts, [sigHeader]: sign(`${secret}x`, ts, body) }],
      ['another body', { [tsHeader]: ts, [sigHeader]: sign(secret, ts, other) }],
      [
        'a random signature',
        { [tsHeader]: ts, [sigHeader]: `${sign(secret, ts, body).split('=')[0]}=${'0'.repeat(64)}` },
      ],
      ['a stale timestamp', { [tsHeader]: stale, [sigHeader]: sign(secret, stale, body) }],
      ['a future timestamp', { [tsHeader]: future, [sigHeader]: sign(secret, future, body) }],
      [
        'a timestamp that is not a number',
        { [tsHeader]: `${ts}.5`, [sigHeader]: sign(secret, `${ts}.5`, body) },
      ],
    ];
    return cases.map(([why, headers]) => [why, headers, body]);
  };
}

const telegram: Endpoint = {
  name: 'telegram',
  path: '/webhooks/telegram/bank-support',
  contentType: 'application/json',
  payload: (n) => telegramMessage(n, 'my card has not arrived', { chatId: 777 }),
  encode: json,
  auth: () => ({ 'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET }),
  typed: [
    { path: ['update_id'], types: ['int'] },
    { path: ['message'], types: ['object'] },
    { path: ['message', 'message_id'], types: ['int'] },
    { path: ['message', 'date'], types: ['int'] },
    { path: ['message', 'chat'], types: ['object'] },
    { path: ['message', 'chat', 'id'], types: ['int'] },
    { path: ['message', 'chat', 'type'], types: ['string'] },
    { path: ['message', 'from', 'is_bot'], types: ['boolean'] },
    { path: ['message', 'text'], types: ['string'] },
  ],
  badAuth: (payload, pick) => [
    ['no secret', {}, json(payload)],
    ['a wrong secret', { 'x-telegram-bot-api-secret-token': `wrong-${pick(10 ** 9)}` }, json(payload)],
    [
      'the secret with a character more',
      { 'x-telegram-bot-api-secret-token': `${CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET}0` },
      json(payload),
    ],
  ],
  objectsOnly: true,
};

const slack: Endpoint = {
  name: 'slack',
  path: '/webhooks/slack/bank-support',
  contentType: 'application/json',
  payload: (n) => slackMessage(`Ev${n}`, 'my card has not arrived', { channel: 'D777', ts: `${n}.000100` }),
  encode: json,
  auth: (body) => {
    const ts = String(nowS());
    return {
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signSlack(CHANNEL_ENV.BANK_SUPPORT_SLACK_SIGNING_SECRET, ts, body),
    };
  },
  typed: [
    { path: ['team_id'], types: ['string'] },
    { path: ['api_app_id'], types: ['string'] },
    { path: ['event_id'], types: ['string'] },
    { path: ['event_time'], types: ['int'] },
    { path: ['event'], types: ['object'] },
    { path: ['event', 'type'], types: ['string'] },
    { path: ['event', 'text'], types: ['string'] },
    { path: ['event', 'channel'], types: ['string'] },
  ],
  badAuth: signatureCases(
    signSlack,
    'x-slack-signature',
    'x-slack-request-timestamp',
    CHANNEL_ENV.BANK_SUPPORT_SLACK_SIGNING_SECRET,
  ),
  objectsOnly: true,
};

const chatwoot: Endpoint = {
  name: 'chatwoot',
  path: '/webhooks/chatwoot/bank-support',
  contentType: 'application/json',
  payload: (n) => chatwootMessage(n, 'my card has not arrived', { conversationId: 777 }),
  encode: json,
  auth: (body) => {
    const ts = String(nowS());
    return {
      'x-chatwoot-timestamp': ts,
      'x-chatwoot-signature': signChatwoot(CHANNEL_ENV.BANK_SUPPORT_CHATWOOT_HMAC_SECRET, ts, body),
    };
  },
  typed: [
    // Ids are integers or strings of digits; any other string is refused too (see the corpus).
    { path: ['id'], types: ['int', 'string'] },
    { path: ['content'], types: ['string', 'null'] },
    { path: ['message_type'], types: ['string', 'number'] },
    { path: ['private'], types: ['boolean'] },
    { path: ['conversation'], types: ['object'] },
    { path: ['conversation', 'id'], types: ['int', 'string'] },
    { path: ['account', 'id'], types: ['int', 'string'] },
  ],
  badAuth: signatureCases(
    signChatwoot,
    'x-chatwoot-signature',
    'x-chatwoot-timestamp',
    CHANNEL_ENV.BANK_SUPPORT_CHATWOOT_HMAC_SECRET,
  ),
  objectsOnly: true,
};

/** Bitrix24 posts forms; it is described with its JSON form here (accepted too), its forms in the corpus. */
const bitrix24 = (clientEndpoint: string): Endpoint => ({
  name: 'bitrix24',
  path: '/webhooks/bitrix24/bank-support',
  contentType: 'application/json',
  payload: (n) => bitrixMessage(clientEndpoint, n, 'my card has not arrived', { dialogId: '777' }),
  encode: json,
  auth: () => ({}),
  typed: [
    { path: ['event'], types: ['string'] },
    { path: ['auth'], types: ['object'] },
    { path: ['auth', 'member_id'], types: ['string'] },
    { path: ['auth', 'application_token'], types: ['string'] },
    { path: ['data', 'PARAMS'], types: ['object'] },
    { path: ['data', 'PARAMS', 'MESSAGE_ID'], types: ['string', 'number'] },
    { path: ['data', 'PARAMS', 'DIALOG_ID'], types: ['string', 'number'] },
    { path: ['data', 'PARAMS', 'FROM_USER_ID'], types: ['string', 'number'] },
    { path: ['data', 'BOT'], types: ['object'] },
  ],
  badAuth: (payload, pick) => {
    const token = (application_token: string) =>
      json({ ...payload, auth: { ...(payload.auth as object), application_token } });
    return [
      ['a wrong application token', {}, token(`wrong${pick(10 ** 9)}`)],
      ['the application token with a character more', {}, token(`${B24.applicationToken}0`)],
    ];
  },
  objectsOnly: true,
});

/** The form body Bitrix24 really sends for {@link bitrix24}'s payload `n`. */
export function bitrixForm(clientEndpoint: string, n: number): Buffer {
  return Buffer.from(
    toBitrixForm(bitrixMessage(clientEndpoint, n, 'my card has not arrived', { dialogId: '777' })).toString(),
  );
}

const bearer = { authorization: `Bearer ${TEST_API_KEY}` };
const apiKeyCases = (
  payload: Record<string, unknown>,
  pick: (n: number) => number,
): Array<[string, Record<string, string>, Buffer]> => [
  ['no key', {}, json(payload)],
  ['a wrong key', { authorization: `Bearer wrong-${pick(10 ** 9)}` }, json(payload)],
  ['the key in the wrong scheme', { authorization: `Basic ${TEST_API_KEY}` }, json(payload)],
  ['the key with a character more', { authorization: `Bearer ${TEST_API_KEY}x` }, json(payload)],
];

const tickets: Endpoint = {
  name: 'rest-tickets',
  path: '/api/v1/tickets',
  contentType: 'application/json',
  payload: (n) => ({
    text: 'my card has not arrived',
    external_id: `crm-${n}`,
    customer: { id: 'c-1', name: 'Ann' },
    channel: 'email',
    callback_url: 'https://crm.example/hooks',
  }),
  encode: json,
  auth: () => bearer,
  typed: [
    { path: ['text'], types: ['string'] },
    { path: ['external_id'], types: ['string'] },
    // A name, or {id, name, email}; an object is checked field by field (see the corpus).
    { path: ['customer'], types: ['string', 'object'] },
    { path: ['customer', 'id'], types: ['string'] },
    { path: ['callback_url'], types: ['string'] },
    { path: ['channel'], types: ['string'] },
  ],
  badAuth: apiKeyCases,
  objectsOnly: true,
};

/** Operator replies over the REST API, to conversation `conversationId`. */
const replies = (conversationId: number): Endpoint => ({
  name: 'rest-replies',
  path: `/api/v1/conversations/${conversationId}/messages`,
  contentType: 'application/json',
  payload: (n) => ({ operator: 'ann', text: `reply ${n}` }),
  encode: json,
  auth: () => bearer,
  typed: [
    { path: ['operator'], types: ['string'] },
    { path: ['text'], types: ['string'] },
  ],
  badAuth: apiKeyCases,
  objectsOnly: true,
});

/** Console sign-in, by an operator of test/helpers/console-client.ts. */
const signIn: Endpoint = {
  name: 'console-sign-in',
  path: '/console/api/session',
  contentType: 'application/json',
  payload: () => ({ login: 'ann', password: 'ann-password-1' }),
  encode: json,
  auth: () => ({}),
  typed: [
    { path: ['login'], types: ['string'] },
    { path: ['password'], types: ['string'] },
  ],
  bodyLimit: 4096,
  objectsOnly: true,
};

/** The endpoints, given where replies go (a stand-in) and a conversation operators can answer. */
export function endpoints(o: { standInUrl: string; replyConversation: number }): Endpoint[] {
  return [
    telegram,
    slack,
    chatwoot,
    bitrix24(`${o.standInUrl}/rest/`),
    tickets,
    replies(o.replyConversation),
    signIn,
  ];
}
