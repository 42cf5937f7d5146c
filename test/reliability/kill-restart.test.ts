import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import {
  gatewayEnv,
  inPool,
  integrityCheck,
  openGatewayDb,
  recordFigures,
  scaled,
  seededRandom,
} from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep } from '../helpers/wait.js';

const REPETITIONS = scaled(10, 2);
const DELIVERIES = scaled(10_000, 1_000);
const CONCURRENCY = 16;
/** Share of acknowledged deliveries resent after the restart, as a platform unsure of its 2xx would. */
const RESEND_SAMPLE = 0.1;
/** How long the work left by the kills may go without one job finishing. */
const STALL_MS = 30_000;

let api: PlatformStandIn;
const dataDir = tempDir('neurodesk-kill-');
const env = () => gatewayEnv(dataDir, api.url);

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
});
afterAll(async () => {
  await api?.close();
});

/** POSTs one update; true when the gateway answered 2xx (false on any error or other status). */
async function deliver(url: string, updateId: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/webhooks/telegram/bank-support`, {
      method: 'POST',
      body: JSON.stringify(
        telegramMessage(updateId, 'my card has not arrived', { chatId: 50_000 + (updateId % 300) }),
      ),
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
      },
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Each delivery id stored, mapped to 1 when it has exactly one inbox row, one message and one
 * processing job (anything else is a count over 1); and the number of inbound messages.
 */
function stored(): { byDelivery: Map<string, number>; inboundMessages: number } {
  const db = openGatewayDb(dataDir);
  try {
    const jobs = new Map<number, number>();
    for (const r of db
      .prepare(
        "SELECT json_extract(payload, '$.messageId') AS m, COUNT(*) AS n FROM jobs WHERE kind = 'process_message' GROUP BY m",
      )
      .all() as Array<{ m: number; n: number }>)
      jobs.set(r.m, r.n);
    const byDelivery = new Map<string, number>();
    for (const r of db
      .prepare("SELECT delivery_id AS id, message_id AS m FROM inbound_deliveries WHERE channel = 'telegram'")
      .all() as Array<{ id: string; m: number }>) {
      const before = byDelivery.get(r.id) ?? 0;
      byDelivery.set(r.id, before + (jobs.get(r.m) === 1 ? 1 : 100));
    }
    const inbound = db.prepare("SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'").get() as {
      n: number;
    };
    return { byDelivery, inboundMessages: inbound.n };
  } finally {
    db.close();
  }
}

describe('kill -9 while deliveries stream in', () => {
  it(`loses no acknowledged delivery and stores none twice, over ${REPETITIONS} kills of ${DELIVERIES} deliveries each`, async () => {
    const random = seededRandom(20261128);
    const acknowledged = new Set<number>();
    const reports: Array<{
      ackedBeforeKill: number;
      storedUnacked: number;
      resent: number;
      integrity: string;
    }> = [];
    let gw: GatewayProcess | undefined;
    try {
      for (let rep = 0; rep < REPETITIONS; rep++) {
        gw = await spawnGateway('test/fixtures/keyword-gateway.ts', env());
        const ids = Array.from({ length: DELIVERIES }, (_, i) => rep * DELIVERIES + i + 1);
        const killAfter = Math.floor(DELIVERIES * (0.1 + 0.8 * random()));
        const unacked: number[] = [];
        let acked = 0;
        const process = gw;
        await inPool(ids, CONCURRENCY, async (id) => {
          if (await deliver(process.url, id)) {
            acknowledged.add(id);
            if (++acked === killAfter) process.child.kill('SIGKILL');
          } else unacked.push(id);
        });
        expect((await gw.exited).signal).toBe('SIGKILL');
        const integrity = integrityCheck(dataDir);
        const before = stored().byDelivery;
        const storedUnacked = unacked.filter((id) => before.has(String(id))).length;

        // The platform resends what got no 2xx, and some of what did.
        gw = await spawnGateway('test/fixtures/keyword-gateway.ts', env());
        const sample = ids.filter((id) => acknowledged.has(id) && random() < RESEND_SAMPLE);
        const resend = [...unacked, ...sample];
        const failedResends: number[] = [];
        const again = gw;
        await inPool(resend, CONCURRENCY, async (id) => {
          if (await deliver(again.url, id)) acknowledged.add(id);
          else failedResends.push(id);
        });
        expect(failedResends).toEqual([]);
        gw.child.kill('SIGTERM');
        expect((await gw.exited).code).toBe(0);
        gw = undefined;
        reports.push({ ackedBeforeKill: acked, storedUnacked, resent: resend.length, integrity });
      }
      const after = stored();
      const missing = [...acknowledged].filter((id) => after.byDelivery.get(String(id)) !== 1);
      const inbound = after.inboundMessages;
      const finalIntegrity = integrityCheck(dataDir);
      recordFigures('kill-restart', {
        repetitions: REPETITIONS,
        deliveriesPerRepetition: DELIVERIES,
        killedAfterAcks: reports.map((r) => r.ackedBeforeKill).join(' '),
        storedButUnacknowledgedAtKill: reports.reduce((n, r) => n + r.storedUnacked, 0),
        resent: reports.reduce((n, r) => n + r.resent, 0),
        acknowledged: acknowledged.size,
        storedInbound: inbound,
        notStoredExactlyOnce: missing.length,
        integrityChecksOk:
          reports.filter((r) => r.integrity === 'ok').length + (finalIntegrity === 'ok' ? 1 : 0),
      });
      expect(acknowledged.size).toBe(REPETITIONS * DELIVERIES);
      expect(missing).toEqual([]);
      expect(inbound).toBe(REPETITIONS * DELIVERIES);
      expect(reports.map((r) => r.integrity)).toEqual(reports.map(() => 'ok'));
      expect(finalIntegrity).toBe('ok');
    } finally {
      gw?.child.kill('SIGKILL');
    }
  });

  it('resumes the work the killed process left: every stored message is processed after the restart', async () => {
    const gw = await spawnGateway('test/fixtures/keyword-gateway.ts', env());
    try {
      const db = openGatewayDb(dataDir);
      const open = () =>
        (
          db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'running')").get() as {
            n: number;
          }
        ).n;
      // The backlog left by the kills drains at the workers' pace: wait while it shrinks, and
      // fail only if no job finishes for STALL_MS.
      const backlog = open();
      const started = Date.now();
      let left = backlog;
      let progressAt = Date.now();
      while (left > 0) {
        await sleep(500);
        const now = open();
        if (now < left) progressAt = Date.now();
        left = now;
        if (Date.now() - progressAt > STALL_MS)
          throw new Error(`no job finished in ${STALL_MS / 1000} s; ${left} of ${backlog} still open`);
      }
      const seconds = (Date.now() - started) / 1000;
      recordFigures('kill-restart-resume', {
        openJobsAtRestart: backlog,
        drainSeconds: Math.round(seconds * 10) / 10,
        jobsPerS: Math.round(backlog / Math.max(seconds, 0.001)),
      });
      const undecided = db
        .prepare(
          "SELECT COUNT(*) AS n FROM messages m WHERE m.direction = 'in' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.message_id = m.id)",
        )
        .get() as { n: number };
      db.close();
      expect(undecided.n).toBe(0);
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });
});
