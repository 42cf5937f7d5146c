import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import {
  chatwootMessage,
  postChatwoot,
  postSlack,
  postTelegram,
  slackMessage,
  telegramMessage,
} from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, ms1, openGatewayDb, recordFigures, scaled } from '../helpers/reliability.js';
import { PlatformStandIn, type ReceivedRequest } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

const OUTAGE_S = scaled(60, 6);
const MESSAGES_PER_S = 3;
const CHATS = 10;
// Two questions the bot answers, alternated so each conversation's reply order can be checked.
const QUESTIONS = [
  {
    text: 'my card has not arrived',
    answer: 'Cards arrive within 3 working days; you can track yours in the app.',
  },
  {
    text: 'what exchange rate do you use',
    answer: 'We use the interbank exchange rate, updated every minute.',
  },
];

let api: PlatformStandIn;
let gw: GatewayProcess;
const dataDir = tempDir('neurodesk-outage-');

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, id: 1, result: { message_id: 1 } } }));
  // The production retry schedule: 2 s doubling up to 10 min, 12 attempts.
  gw = await spawnGateway('test/fixtures/keyword-gateway.ts', gatewayEnv(dataDir, api.url));
});
afterAll(async () => {
  gw?.child.kill('SIGTERM');
  await gw?.exited;
  await api?.close();
});

/** The channel of a reply the stand-in received, and the conversation it was for. */
function replyOf(r: ReceivedRequest): { key: string; text: string } | undefined {
  if (r.path === '/telegram/bot123456:TEST-telegram-bot-token/sendMessage')
    return { key: `telegram:${r.body.chat_id}`, text: r.body.text };
  if (r.path === '/slack/chat.postMessage') return { key: `slack:${r.body.channel}`, text: r.body.text };
  const m = /^\/chatwoot\/api\/v1\/accounts\/1\/conversations\/(\d+)\/messages$/.exec(r.path);
  if (m) return { key: `chatwoot:${m[1]}`, text: r.body.content };
  return undefined;
}

describe('the platforms’ APIs down', () => {
  it(`for ${OUTAGE_S} s under traffic: every reply is delivered once it returns, once, in order, none dead`, async () => {
    const gateway = { url: gw.url } as Parameters<typeof postTelegram>[0];
    const expected = new Map<string, string[]>();
    api.down();
    const wentDown = Date.now();
    let n = 0;
    while (Date.now() - wentDown < OUTAGE_S * 1000 - 500) {
      n++;
      const chat = 1 + (n % CHATS);
      const q = QUESTIONS[Math.floor(n / CHATS) % 2]!;
      const channel = n % 3;
      let status: number;
      if (channel === 0) {
        status = (await postTelegram(gateway, telegramMessage(n, q.text, { chatId: chat }))).status;
        expected.set(`telegram:${chat}`, [...(expected.get(`telegram:${chat}`) ?? []), q.answer]);
      } else if (channel === 1) {
        status = (
          await postSlack(gateway, slackMessage(`Ev${n}`, q.text, { channel: `D${chat}`, ts: `${n}.000100` }))
        ).status;
        expected.set(`slack:D${chat}`, [...(expected.get(`slack:D${chat}`) ?? []), q.answer]);
      } else {
        status = (await postChatwoot(gateway, chatwootMessage(n, q.text, { conversationId: chat }))).status;
        expected.set(`chatwoot:${chat}`, [...(expected.get(`chatwoot:${chat}`) ?? []), q.answer]);
      }
      expect(status).toBe(200);
      await sleep(1000 / MESSAGES_PER_S);
    }
    await sleep(Math.max(0, wentDown + OUTAGE_S * 1000 - Date.now()));
    const refusedDuringOutage = api.requests.filter((r) => r.status === 503).length;
    api.up();
    const cameBack = Date.now();
    const total = [...expected.values()].reduce((k, v) => k + v.length, 0);
    const delivered = () => api.accepted().filter((r) => replyOf(r)).length;
    // After an outage of T the longest wait for the next attempt is about T more (the backoff doubles).
    await waitFor(() => delivered() >= total, (OUTAGE_S * 1.2 + 15) * 1000, 'every reply delivered').catch(
      () => {},
    );
    const allDeliveredMs = Date.now() - cameBack;
    await sleep(1000);

    const got = new Map<string, string[]>();
    for (const r of api.accepted()) {
      const reply = replyOf(r);
      if (reply) got.set(reply.key, [...(got.get(reply.key) ?? []), reply.text]);
    }
    const db = openGatewayDb(dataDir);
    const outbox = Object.fromEntries(
      (
        db.prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as Array<{
          status: string;
          n: number;
        }>
      ).map((r) => [r.status, r.n]),
    );
    db.close();
    const outOfOrder = [...expected].filter(
      ([key, texts]) => JSON.stringify(got.get(key)) !== JSON.stringify(texts),
    );
    recordFigures('outbound-outage', {
      outageSeconds: OUTAGE_S,
      messagesDuringOutage: n,
      repliesExpected: total,
      refusedAttemptsDuringOutage: refusedDuringOutage,
      repliesDelivered: delivered(),
      allDeliveredSecondsAfterReturn: ms1(allDeliveredMs / 1000),
      conversationsWrongOrMissing: outOfOrder.length,
      deadLettered: outbox.dead ?? 0,
    });
    expect(refusedDuringOutage).toBeGreaterThan(0);
    expect(delivered()).toBe(total);
    expect(outOfOrder).toEqual([]);
    expect(outbox).toEqual({ sent: total });
  });
});
