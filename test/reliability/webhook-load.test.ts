import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steadyLoad } from '../../bench/steady-load.js';
import { tempDir } from '../helpers/config.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, latencyBound, openGatewayDb, recordFigures, scaled } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';

const RATE = 300;
const SECONDS = scaled(60, 8);

let api: PlatformStandIn;
let gw: GatewayProcess;
const dataDir = tempDir('neurodesk-load-');

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await spawnGateway('test/fixtures/keyword-gateway.ts', gatewayEnv(dataDir, api.url));
});
afterAll(async () => {
  gw?.child.kill('SIGTERM');
  await gw?.exited;
  await api?.close();
});

describe('the webhook acknowledge path under load', () => {
  it(`acknowledges ${RATE} Telegram updates a second for ${SECONDS} s with no error, p99 under 50 ms, and stores exactly what it acknowledged`, async () => {
    let updateId = 0;
    const next = () => {
      updateId++;
      // 500 customers writing at once, each update unique.
      const update = telegramMessage(updateId, 'my card has not arrived yet', {
        chatId: 10_000 + (updateId % 500),
      });
      return {
        path: '/webhooks/telegram/bank-support',
        body: JSON.stringify(update),
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
        },
      };
    };
    // Warm-up (code paths compiled, connections open), counted in the stored rows but not in the figures.
    const warmUp = await steadyLoad(gw.url, 100, 3, next);
    // Evenly spaced, each request's latency counted from when it was due (see bench/steady-load.ts).
    const result = await steadyLoad(gw.url, RATE, SECONDS, next);
    const db = openGatewayDb(dataDir);
    const stored = db
      .prepare("SELECT COUNT(*) AS n FROM inbound_deliveries WHERE channel = 'telegram'")
      .get() as { n: number };
    db.close();
    recordFigures('webhook-load', {
      targetRatePerS: RATE,
      seconds: SECONDS,
      requests: result.sent,
      achievedRatePerS: result.achievedRps,
      failed: result.failed,
      ...Object.fromEntries(Object.entries(result.statuses).map(([k, v]) => [`answered${k}`, v])),
      warmUpRequests: warmUp.sent,
      warmUpFailed: warmUp.failed,
      storedDeliveries: stored.n,
      latencyP50Ms: result.p50Ms,
      latencyP90Ms: result.p90Ms,
      latencyP99Ms: result.p99Ms,
      latencyMaxMs: result.maxMs,
      p99TargetMs: 50,
      repliesSentDuringRun: api.accepted('/sendMessage').length,
    });
    expect(result.sent).toBe(RATE * SECONDS);
    expect(result.achievedRps).toBeGreaterThanOrEqual(RATE * 0.95);
    // A failure is any answer but 2xx, or none (a reset, a refused connection).
    expect(result.failed).toBe(0);
    expect(warmUp.failed).toBe(0);
    expect(stored.n).toBe(warmUp.sent + result.sent);
    expect(result.p99Ms).toBeLessThan(latencyBound(50));
  });
});
