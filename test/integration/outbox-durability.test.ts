import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { authHeaders, tempDir } from '../helpers/config.js';
import { CHANNEL_ENV, counts, row, rows, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import {
  bitrixInstall,
  bitrixMessage,
  chatwootMessage,
  postBitrix,
  postChatwoot,
  postSlack,
  postTelegram,
  slackMessage,
  telegramMessage,
} from '../helpers/platforms.js';
import { PlatformStandIn, type ReceivedRequest } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** How to make each platform's channel produce one reply, and how to recognise it at the stand-in. */
interface ChannelCase {
  name: string;
  setup?(gw: Gateway, api: PlatformStandIn): Promise<void>;
  deliver(gw: Gateway, api: PlatformStandIn, n: number): Promise<void>;
  isReply(r: ReceivedRequest, n: number): boolean;
}

const CARD = 'my card has not arrived';

const CASES: ChannelCase[] = [
  {
    name: 'telegram',
    deliver: async (gw, _api, n) => {
      expect((await postTelegram(gw, telegramMessage(n, CARD, { chatId: n }))).status).toBe(200);
    },
    isReply: (r, n) => r.path.endsWith('/sendMessage') && r.body?.chat_id === n,
  },
  {
    name: 'slack',
    deliver: async (gw, _api, n) => {
      expect((await postSlack(gw, slackMessage(`Ev${n}`, CARD, { channel: `D${n}` }))).status).toBe(200);
    },
    isReply: (r, n) => r.path === '/slack/chat.postMessage' && r.body?.channel === `D${n}`,
  },
  {
    name: 'chatwoot',
    deliver: async (gw, _api, n) => {
      expect((await postChatwoot(gw, chatwootMessage(n, CARD, { conversationId: n }))).status).toBe(200);
    },
    isReply: (r, n) => r.path === `/chatwoot/api/v1/accounts/1/conversations/${n}/messages`,
  },
  {
    name: 'bitrix24',
    setup: async (gw, api) => {
      expect((await postBitrix(gw, bitrixInstall(`${api.url}/rest/`))).status).toBe(200);
    },
    deliver: async (gw, api, n) => {
      const status = (
        await postBitrix(gw, bitrixMessage(`${api.url}/rest/`, n, CARD, { dialogId: String(n) }))
      ).status;
      expect(status).toBe(200);
    },
    isReply: (r, n) => r.path === '/rest/imbot.message.add' && r.body?.DIALOG_ID === String(n),
  },
  {
    name: 'rest callback',
    deliver: async (gw, api, n) => {
      const post = (path: string, body: unknown) =>
        fetch(`${gw.url}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json', ...authHeaders },
        });
      const t = await json(await post('/api/v1/tickets', { text: CARD, callback_url: `${api.url}/cb/${n}` }));
      expect(
        (
          await post(`/api/v1/conversations/${t.conversation_id}/messages`, {
            operator: 'o',
            text: `reply ${n}`,
          })
        ).status,
      ).toBe(201);
    },
    isReply: (r, n) => r.path === `/cb/${n}`,
  },
];

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function standIn(): Promise<PlatformStandIn> {
  const api = await PlatformStandIn.start((r) =>
    r.path.startsWith('/rest/')
      ? { body: { result: 1 } }
      : { body: { ok: true, id: 1, result: { message_id: 1 } } },
  );
  open.push(api);
  return api;
}

async function gateway(api: PlatformStandIn, dataDir: string, config: Record<string, string> = {}) {
  const gw = await startTestGateway({ standIn: api, dataDir, config });
  open.push(gw);
  return gw;
}

const replyRow = (gw: Gateway) =>
  row(
    gw,
    "SELECT status, attempts FROM outbox WHERE kind NOT IN ('imbot.register') ORDER BY id DESC LIMIT 1",
  );

describe.each(CASES)('$name replies while the platform API is down', (c) => {
  it('are retried with backoff and delivered once it comes back', async () => {
    const api = await standIn();
    const gw = await gateway(api, tempDir());
    await c.setup?.(gw, api);
    api.down();
    await c.deliver(gw, api, 7001);
    await waitFor(() => replyRow(gw)?.attempts >= 3, 5000, 'three failed attempts');
    expect(api.requests.filter((r) => c.isReply(r, 7001) && r.status === 503).length).toBeGreaterThanOrEqual(
      2,
    );
    api.up();
    await api.waitForAccepted((r) => c.isReply(r, 7001));
    await waitFor(() => replyRow(gw)?.status === 'sent');
    await sleep(100);
    expect(api.accepted().filter((r) => c.isReply(r, 7001))).toHaveLength(1);
  });

  it('are delivered after a gateway restart, once, from the same database', async () => {
    const api = await standIn();
    const dataDir = tempDir();
    const first = await gateway(api, dataDir);
    await c.setup?.(first, api);
    api.down();
    await c.deliver(first, api, 7002);
    await waitFor(() => replyRow(first)?.attempts >= 1, 5000, 'a failed attempt');
    const stored = counts(first);
    await first.close();

    api.up();
    const second = await gateway(api, dataDir);
    await api.waitForAccepted((r) => c.isReply(r, 7002));
    await waitFor(() => replyRow(second)?.status === 'sent');
    await sleep(100);
    expect(api.accepted().filter((r) => c.isReply(r, 7002))).toHaveLength(1);
    expect(counts(second)).toEqual(stored);
  });
});

describe('outbox', () => {
  it('survives connections being refused (the API process gone), not only 503s', async () => {
    const api = await standIn();
    const gw = await gateway(api, tempDir());
    await api.close();
    await CASES[0]!.deliver(gw, api, 7101);
    await waitFor(() => replyRow(gw)?.attempts >= 2, 5000, 'two refused attempts');
    await api.restart();
    await api.waitForAccepted((r) => CASES[0]!.isReply(r, 7101));
  });

  it('dead-letters a reply after the configured number of attempts, and a permanent error at once', async () => {
    const api = await standIn();
    const gw = await gateway(api, tempDir(), { NEURODESK_OUTBOX_MAX_ATTEMPTS: '3' });
    api.down();
    await CASES[0]!.deliver(gw, api, 7201);
    await waitFor(() => replyRow(gw)?.status === 'dead', 5000, 'dead letter');
    expect(replyRow(gw)).toEqual({ status: 'dead', attempts: 3 });
    expect(api.requests.filter((r) => CASES[0]!.isReply(r, 7201))).toHaveLength(3);

    api.up();
    api.respondWith(() => ({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
    }));
    await CASES[0]!.deliver(gw, api, 7202);
    await waitFor(() => replyRow(gw)?.status === 'dead' && replyRow(gw).attempts === 1, 5000, 'dead at once');
    const error = row(gw, 'SELECT last_error FROM outbox ORDER BY id DESC LIMIT 1').last_error;
    expect(error).toBe('telegram sendMessage: HTTP 400 Bad Request: chat not found');
    expect(error).not.toContain(CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_BOT_TOKEN);
  });

  it('keeps a conversation’s replies in order while earlier ones are retried', async () => {
    const api = await standIn();
    const gw = await gateway(api, tempDir());
    api.down();
    await postTelegram(gw, telegramMessage(7301, 'my card has not arrived', { chatId: 7300 }));
    await postTelegram(gw, telegramMessage(7302, 'what exchange rate do you use', { chatId: 7300 }));
    await waitFor(
      () => rows(gw, "SELECT 1 FROM outbox WHERE status = 'pending'").length === 2,
      5000,
      'two replies',
    );
    await sleep(100);
    api.up();
    await waitFor(
      () => api.accepted().filter((r) => r.body?.chat_id === 7300).length === 2,
      5000,
      'both replies',
    );
    const texts = api
      .accepted()
      .filter((r) => r.body?.chat_id === 7300)
      .map((r) => r.body.text);
    expect(texts).toEqual([
      'Cards arrive within 3 working days; you can track yours in the app.',
      'We use the interbank exchange rate, updated every minute.',
    ]);
  });
});
