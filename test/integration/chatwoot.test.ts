import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { CHANNEL_ENV, counts, row, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { chatwootMessage, postChatwoot } from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

let api: PlatformStandIn;
let gw: Gateway;
let nextId = 5000;
const messagesOf = (conversation: number) =>
  `/chatwoot/api/v1/accounts/1/conversations/${conversation}/messages`;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { id: ++nextId, content: 'ok', message_type: 1 } }));
  gw = await startTestGateway({ standIn: api });
});
afterAll(async () => {
  await gw.close();
  await api.close();
});

describe('chatwoot agent bot webhook', () => {
  it('stores an incoming message once and replies through the messages API with the bot token', async () => {
    expect(
      (await postChatwoot(gw, chatwootMessage(118, 'my card did not arrive', { conversationId: 21 }))).status,
    ).toBe(200);
    const reply = await api.waitForAccepted((r) => r.path === messagesOf(21));
    expect(reply.headers.api_access_token).toBe(CHANNEL_ENV.BANK_SUPPORT_CHATWOOT_API_TOKEN);
    expect(reply.body).toEqual({
      content: 'Cards arrive within 3 working days; you can track yours in the app.',
      message_type: 'outgoing',
      private: false,
    });
    expect(
      row(gw, "SELECT customer_name, external_chat_id FROM conversations WHERE channel = 'chatwoot'"),
    ).toEqual({
      customer_name: 'little-haze-776',
      external_chat_id: '1:21',
    });
  });

  it('hands off with a message, a private note of suggestions for the agents, and toggle_status open', async () => {
    await postChatwoot(gw, chatwootMessage(119, 'someone stole my card', { conversationId: 22 }));
    await api.waitForAccepted((r) => r.path === messagesOf(22) && r.body.private === true);
    const calls = api.accepted().filter((r) => r.path.includes('/conversations/22/'));
    expect(calls.map((r) => [r.path.split('/').at(-1), r.body])).toEqual([
      [
        'messages',
        {
          content: expect.stringContaining('passing your question'),
          message_type: 'outgoing',
          private: false,
        },
      ],
      ['toggle_status', { status: 'open' }],
      [
        'messages',
        {
          content: expect.stringContaining('Lost or stolen card (95%)'),
          message_type: 'outgoing',
          private: true,
        },
      ],
    ]);
    expect(calls[2]!.body.content).toContain('Freeze the card in the app');
  });

  it('ignores the bot’s own messages, private notes and templates', async () => {
    const before = await settledCounts(gw);
    for (const m of [
      chatwootMessage(120, 'Cards arrive within 3 working days', {
        conversationId: 23,
        messageType: 'outgoing',
        senderType: 'agent_bot',
      }),
      chatwootMessage(121, 'internal note', { conversationId: 23, messageType: 'incoming', private: true }),
      chatwootMessage(122, 'rate us', { conversationId: 23, messageType: 'template' }),
    ]) {
      expect((await postChatwoot(gw, m)).status).toBe(200);
    }
    expect(counts(gw)).toEqual(before);
  });

  it('goes silent in a conversation once a human agent has written there', async () => {
    await postChatwoot(gw, chatwootMessage(130, 'when does my card arrive', { conversationId: 24 }));
    await api.waitForAccepted((r) => r.path === messagesOf(24));
    const agent = chatwootMessage(131, 'Hi, I am Anna from support, let me check.', {
      conversationId: 24,
      messageType: 'outgoing',
      senderType: 'user',
      senderName: 'Anna',
    });
    expect((await postChatwoot(gw, agent)).status).toBe(200);
    expect(
      row(gw, "SELECT status, assigned_operator FROM conversations WHERE external_chat_id = '1:24'"),
    ).toEqual({
      status: 'assigned',
      assigned_operator: 'Anna',
    });
    await postChatwoot(
      gw,
      chatwootMessage(132, 'and what exchange rate do you use?', { conversationId: 24 }),
    );
    const id = await waitFor(() =>
      row(
        gw,
        "SELECT d.action, d.reason FROM decisions d JOIN messages m ON m.id = d.message_id WHERE m.external_id = '132'",
      ),
    );
    expect(id).toEqual({ action: 'silent', reason: 'operator_active' });
    await sleep(100);
    const toCustomer = api.accepted().filter((r) => r.path === messagesOf(24) && r.body.private === false);
    expect(toCustomer).toHaveLength(1);
    // The agent still gets the suggestions, as a private note.
    expect(api.accepted().some((r) => r.path === messagesOf(24) && r.body.private === true)).toBe(true);
  });

  it('answers 401 and stores nothing for a wrong, missing or stale signature', async () => {
    const before = await settledCounts(gw);
    const body = chatwootMessage(140, 'card?', { conversationId: 25 });
    const attempts = [
      await postChatwoot(gw, body, { secret: 'wrong' }),
      await postChatwoot(gw, body, { signature: null }),
      await postChatwoot(gw, body, { timestamp: now() - 301 }),
      await postChatwoot(gw, body, { timestamp: now() + 301 }),
    ];
    for (const res of attempts) expect(res.status).toBe(401);
    expect(counts(gw)).toEqual(before);
  });

  it('answers 200 to a replayed message and stores nothing new', async () => {
    const body = chatwootMessage(150, 'exchange rate please', { conversationId: 26 });
    await postChatwoot(gw, body, { delivery: 'a1b2' });
    await api.waitForAccepted((r) => r.path === messagesOf(26));
    const before = await settledCounts(gw);
    expect((await postChatwoot(gw, body, { delivery: 'a1b2' })).status).toBe(200);
    expect((await postChatwoot(gw, body, { delivery: 'another-delivery' })).status).toBe(200);
    await sleep(100);
    expect(counts(gw)).toEqual(before);
    expect(api.accepted().filter((r) => r.path === messagesOf(26))).toHaveLength(1);
  });

  it('answers 400 to malformed JSON and to a message_created without a conversation', async () => {
    const before = await settledCounts(gw);
    expect((await postChatwoot(gw, '{"event":"message_created"')).status).toBe(400);
    const { conversation: _, ...noConversation } = chatwootMessage(160, 'hi');
    const res = await postChatwoot(gw, noConversation);
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(/conversation/);
    expect(counts(gw)).toEqual(before);
  });

  it('answers 400 to a signed body that is not a JSON object (other events still get 200)', async () => {
    for (const body of ['[null]', 'true', '"message_created"']) {
      const res = await postChatwoot(gw, body);
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('validation_failed');
    }
    expect((await postChatwoot(gw, { event: 'conversation_opened', id: 5 })).status).toBe(200);
  });
});

describe('chatwoot without an HMAC secret', () => {
  it('accepts unsigned deliveries (signatures are checked only when a secret is configured)', async () => {
    const local = await PlatformStandIn.start(() => ({ body: { id: 1 } }));
    const unsigned = await startTestGateway({
      standIn: local,
      env: { BANK_SUPPORT_CHATWOOT_HMAC_SECRET: undefined },
    });
    try {
      expect(
        (await postChatwoot(unsigned, chatwootMessage(1, 'card arrival?'), { signature: null })).status,
      ).toBe(200);
      await local.waitForAccepted((r) => r.path === messagesOf(10));
    } finally {
      await unsigned.close();
      await local.close();
    }
  });
});

describe('chatwoot conversation ids', () => {
  it('replies to conversation.display_id, the id the API routes take, when the payload has it', async () => {
    // The webhook's conversation has its database id and its number in the account
    // (display_id, what the dashboard shows and /conversations/:id expects).
    const body = chatwootMessage(9301, 'my card did not arrive', { conversationId: 4522, displayId: 31 });
    expect((await postChatwoot(gw, body)).status).toBe(200);
    const reply = await api.waitForAccepted((r) => r.path === messagesOf(31));
    expect(reply.body).toMatchObject({ message_type: 'outgoing', private: false });
    expect(api.requests.filter((r) => r.path.includes('/conversations/4522/'))).toEqual([]);
  });
});
