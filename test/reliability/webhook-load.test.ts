import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { runLoad } from '../helpers/load.js';
import { telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, latencyBound, openGatewayDb, recordFigures, scaled } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';

const RATE = 300;
const SECONDS = scaled(60, 8);
const CONNECTIONS = 30;

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
    const load = (rate: number, amount: number) =>
      runLoad({
        url: `${gw.url}/webhooks/telegram/bank-support`,
        method: 'POST',
        connections: CONNECTIONS,
        overallRate: rate,
        // A fixed number of requests (not a duration), so that every one sent is answered and counted.
        amount,
        timeout: 10,
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
        },
        requests: [
          {
            setupRequest: (req) => {
              updateId++;
              // 500 customers writing at once, each update unique.
              const update = telegramMessage(updateId, 'my card has not arrived yet', {
                chatId: 10_000 + (updateId % 500),
              });
              return { ...req, body: JSON.stringify(update) };
            },
          },
        ],
      });
    // Warm-up (code paths compiled, connections open), counted in the stored rows but not in the figures.
    const warmUp = await load(100, 300);
    const result = await load(RATE, RATE * SECONDS);
    const db = openGatewayDb(dataDir);
    const stored = db
      .prepare("SELECT COUNT(*) AS n FROM inbound_deliveries WHERE channel = 'telegram'")
      .get() as { n: number };
    db.close();
    const sent = result.requests.total;
    recordFigures('webhook-load', {
      targetRatePerS: RATE,
      seconds: SECONDS,
      connections: CONNECTIONS,
      requests: sent,
      achievedRatePerS: Math.round(sent / result.duration),
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      warmUp2xx: warmUp['2xx'],
      storedDeliveries: stored.n,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      p99TargetMs: 50,
      repliesSentDuringRun: api.accepted('/sendMessage').length,
    });
    expect(sent).toBe(RATE * SECONDS);
    expect(sent / result.duration).toBeGreaterThanOrEqual(RATE * 0.95);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(stored.n).toBe(warmUp['2xx'] + result['2xx']);
    expect(result.latency.p99).toBeLessThan(latencyBound(50));
  });
});
