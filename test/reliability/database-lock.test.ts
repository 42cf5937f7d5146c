import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, tempDir } from '../helpers/config.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, inPool, ms1, openGatewayDb, percentile, recordFigures } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

const LOCK_MS = 2000;

let api: PlatformStandIn;
beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
});
afterAll(async () => {
  await api?.close();
});

/** Starts another process that takes the database's write lock and holds it for `ms`; resolves once it holds it. */
function holdLock(dataDir: string, ms: number): Promise<Promise<void>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/lock-database.ts', join(dataDir, 'neurodesk.db'), String(ms)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      if (String(d).includes('locked')) resolve(exited);
    });
    child.on('exit', (code) => reject(new Error(`the locking process exited with ${code} before locking`)));
  });
}

/** One delivery: a Telegram update or a REST ticket, by number. */
async function send(
  url: string,
  n: number,
): Promise<{ status: number; retryAfter: string | null; body: string; ms: number }> {
  const started = performance.now();
  const res =
    n % 4 === 0
      ? await fetch(`${url}/api/v1/tickets`, {
          method: 'POST',
          body: JSON.stringify({ text: 'my card has not arrived', external_id: `crm-${n}` }),
          headers: { 'content-type': 'application/json', ...authHeaders },
        })
      : await fetch(`${url}/webhooks/telegram/bank-support`, {
          method: 'POST',
          body: JSON.stringify(telegramMessage(n, 'my card has not arrived', { chatId: 70_000 + (n % 40) })),
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
          },
        });
  const body = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body,
    ms: performance.now() - started,
  };
}

// With the default busy timeout (5 s) a 2 s lock is waited out; with a short one the
// deliveries that meet the lock are refused with 503 and retried.
describe.each([
  { busyTimeout: '5s', refusals: false },
  { busyTimeout: '100ms', refusals: true },
])(
  'a database locked by another process for 2 s, with NEURODESK_DB_BUSY_TIMEOUT=$busyTimeout',
  ({ busyTimeout, refusals }) => {
    let gw: GatewayProcess;
    const dataDir = tempDir('neurodesk-lock-');
    beforeAll(async () => {
      gw = await spawnGateway(
        'test/fixtures/keyword-gateway.ts',
        gatewayEnv(dataDir, api.url, { NEURODESK_DB_BUSY_TIMEOUT: busyTimeout }),
      );
    });
    afterAll(async () => {
      gw?.child.kill('SIGTERM');
      await gw?.exited;
    });

    it('answers each delivery with success or 503 and Retry-After, never a 500, and loses nothing', async () => {
      const total = 200;
      const numbers = Array.from({ length: total }, (_, i) => i + 1);
      const results = new Map<number, Awaited<ReturnType<typeof send>>>();
      // Deliveries before, during and after the lock, 50 a second.
      const traffic = (async () => {
        for (const n of numbers) {
          void send(gw.url, n).then(
            (r) => results.set(n, r),
            () => results.set(n, { status: 0, retryAfter: null, body: '', ms: 0 }),
          );
          await sleep(20);
        }
      })();
      await sleep(1000);
      const released = await holdLock(dataDir, LOCK_MS);
      await released;
      await traffic;
      await waitFor(() => results.size === total, 30_000, 'every answer');

      const statuses = [...results.values()].map((r) => r.status);
      const refused = [...results.entries()].filter(([, r]) => r.status === 503);
      // The platforms retry what got a 503, after Retry-After.
      const retryAfter = Math.max(0, ...refused.map(([, r]) => Number(r.retryAfter)));
      await sleep(retryAfter * 1000);
      const retried: number[] = [];
      await inPool(
        refused.map(([n]) => n),
        8,
        async (n) => {
          retried.push((await send(gw.url, n)).status);
        },
      );

      const db = openGatewayDb(dataDir);
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      const stored = count('SELECT COUNT(*) AS n FROM inbound_deliveries');
      // Everything left to do is done within the retry backoff (seconds), unless it is stuck.
      await waitFor(
        () =>
          count("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'running')") +
            count("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')") ===
          0,
        30_000,
        'every message processed and answered',
      ).catch(() => {});
      const stuck = db
        .prepare(
          `SELECT 'job' AS what, status, attempts, last_error FROM jobs WHERE status IN ('pending', 'running')
           UNION ALL SELECT 'reply', status, attempts, last_error FROM outbox WHERE status IN ('pending', 'sending')`,
        )
        .all();
      if (stuck.length > 0) process.stdout.write(`left undone: ${JSON.stringify(stuck)}\n`);
      const undecided = count(
        "SELECT COUNT(*) AS n FROM messages m WHERE m.direction = 'in' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.message_id = m.id)",
      );
      const stuckReplies = count("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('sending', 'pending')");
      db.close();
      const scenario = `database-lock-${busyTimeout}`;
      recordFigures(scenario, {
        lockMs: LOCK_MS,
        busyTimeout,
        deliveries: total,
        answered2xx: statuses.filter((s) => s >= 200 && s < 300).length,
        answered503: refused.length,
        answered500: statuses.filter((s) => s >= 500 && s !== 503).length,
        otherAnswers: statuses.filter((s) => s < 200 || (s >= 300 && s !== 503 && s < 500)).length,
        retriedOk: retried.filter((s) => s < 300).length,
        stored,
        undecidedAfter: undecided,
        repliesNotSentAfter: stuckReplies,
        slowestAnswerMs: ms1(
          percentile(
            [...results.values()].map((r) => r.ms),
            100,
          ),
        ),
      });
      for (const [, r] of refused) {
        expect(r.retryAfter).toMatch(/^\d+$/);
        expect(JSON.parse(r.body)).toEqual({ error: { code: 'store_busy', message: expect.any(String) } });
      }
      expect(statuses.filter((s) => !(s === 200 || s === 201 || s === 202 || s === 503))).toEqual([]);
      expect(retried.every((s) => s < 300)).toBe(true);
      if (refusals) expect(refused.length).toBeGreaterThan(0);
      else expect(refused).toEqual([]);
      expect(stored).toBe(total);
      expect(undecided).toBe(0);
      expect(stuckReplies).toBe(0);
    });
  },
);
