import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { openSocket, parseResponses } from '../helpers/raw-http.js';
import { gatewayEnv, ms1, openGatewayDb, recordFigures } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep } from '../helpers/wait.js';

const RATE = 300;
const SLOW_BODIES = 5;

let api: PlatformStandIn;
let gw: GatewayProcess;
const dataDir = tempDir('neurodesk-sigterm-');

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await spawnGateway('test/fixtures/keyword-gateway.ts', gatewayEnv(dataDir, api.url));
});
afterAll(async () => {
  gw?.child.kill('SIGKILL');
  await api?.close();
});

const headers = {
  'content-type': 'application/json',
  'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
};

/**
 * A delivery whose body is still arriving when the signal comes. It asks `Expect: 100-continue`
 * and sends the first half of its body only once the server answered "100 Continue", so the
 * request is in flight from the server's side (its head parsed, its handler running) however
 * busy the machine is; the rest follows `gapMs` later. Resolves with the final answer's status.
 */
async function slowDelivery(updateId: number, gapMs: number) {
  const body = JSON.stringify(telegramMessage(updateId, 'my card has not arrived', { chatId: 4242 }));
  const head = [
    'POST /webhooks/telegram/bank-support HTTP/1.1',
    `Host: ${new URL(gw.url).host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Expect: 100-continue',
    'Connection: close',
  ].join('\r\n');
  const socket = await openSocket(gw.url);
  let data = Buffer.alloc(0);
  let continued = () => {};
  const accepted = new Promise<void>((resolve) => {
    continued = resolve;
  });
  socket.on('data', (d) => {
    data = Buffer.concat([data, d]);
    if (parseResponses(data).some((r) => r.status === 100)) continued();
  });
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  socket.write(`${head}\r\n\r\n`);
  await Promise.race([accepted, closed]);
  const half = Math.floor(body.length / 2);
  socket.write(body.slice(0, half));
  return {
    answer: (async () => {
      await sleep(gapMs);
      if (!socket.destroyed) socket.write(body.slice(half));
      await Promise.race([closed, sleep(5000)]);
      socket.destroy();
      return parseResponses(data).find((r) => r.status !== 100)?.status;
    })(),
  };
}

describe('SIGTERM under load', () => {
  it('lets requests in flight finish, refuses new ones cleanly, stores exactly what it acknowledged, and exits 0 within 10 s', async () => {
    const outcomes = new Map<number, number | string>();
    let stop = false;
    let next = 1;
    const started = Date.now();
    // Deliveries at 300 a second until the process is gone.
    const traffic = (async () => {
      const pending: Array<Promise<void>> = [];
      while (!stop) {
        const due = started + ((next - 1) * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
        const id = next++;
        pending.push(
          fetch(`${gw.url}/webhooks/telegram/bank-support`, {
            method: 'POST',
            headers,
            body: JSON.stringify(
              telegramMessage(id, 'my card has not arrived', { chatId: 80_000 + (id % 300) }),
            ),
          }).then(
            async (r) => {
              await r.arrayBuffer();
              outcomes.set(id, r.status);
            },

            (err: Error & { cause?: { code?: string } }) => {
              outcomes.set(id, err.cause?.code ?? 'error');
            },
          ),
        );
      }
      await Promise.all(pending);
    })();
    await sleep(2000);
    const slow = await Promise.all(
      Array.from({ length: SLOW_BODIES }, (_, i) => slowDelivery(1_000_000 + i, 2000)),
    );
    const signalled = Date.now();
    gw.child.kill('SIGTERM');
    const exit = await gw.exited;
    const exitMs = Date.now() - signalled;
    stop = true;
    await traffic;
    const slowResults = await Promise.all(slow.map((d) => d.answer));

    const db = openGatewayDb(dataDir);
    const stored = new Set(
      (db.prepare('SELECT delivery_id AS id FROM inbound_deliveries').all() as Array<{ id: string }>).map(
        (r) => r.id,
      ),
    );
    db.close();
    const acked = [...outcomes].filter(([, s]) => s === 200).map(([id]) => String(id));
    const storedNotAcked = [...outcomes.keys()].filter(
      (id) => stored.has(String(id)) && outcomes.get(id) !== 200,
    );
    const counts: Record<string, number> = {};
    for (const s of outcomes.values()) counts[String(s)] = (counts[String(s)] ?? 0) + 1;
    recordFigures('sigterm', {
      ratePerS: RATE,
      requests: outcomes.size,
      ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [`answered${k}`, v])),
      slowBodiesInFlight: SLOW_BODIES,
      slowBodiesAnswered200: slowResults.filter((status) => status === 200).length,
      storedNotAcknowledged: storedNotAcked.length,
      exitCode: String(exit.code),
      exitMs: ms1(exitMs),
      exitTargetMs: 10_000,
    });
    expect(exit.code).toBe(0);
    expect(exitMs).toBeLessThan(10_000);
    expect(slowResults).toEqual(slowResults.map(() => 200));
    for (const id of acked) expect(stored.has(id)).toBe(true);
    for (const id of slowResults.keys()) expect(stored.has(String(1_000_000 + id))).toBe(true);
    expect(storedNotAcked).toEqual([]);
    // Anything not acknowledged was refused cleanly: 503 while closing, or no connection at all.
    for (const s of outcomes.values())
      expect([200, 503, 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(s);
  });
});
