/**
 * PostgreSQL restarted under load (full run only: it stops a server of its own). Two gateway
 * instances take a steady stream of webhooks; the database goes down for a few seconds and
 * comes back. While it is down the gateways answer 503 (`store_busy`, or `not_ready` from
 * `/readyz`) — never a 2xx for something not stored, never a 500 — and afterwards every
 * acknowledged delivery is stored exactly once and processed, and the platform's resends of
 * the refused ones are accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, count, drained, startCluster } from '../helpers/cluster.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { telegramMessage } from '../helpers/platforms.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-postgres.js';
import { MODE, recordFigures } from '../helpers/reliability.js';
import { sleep } from '../helpers/wait.js';

const RATE = 100;
const SECONDS = 30;
const DOWN_AT_S = 10;
const DOWN_FOR_S = 6;

describe.runIf(MODE === 'full')('PostgreSQL restarted under load', () => {
  let pgServer: PrivatePostgres;
  let db: TestDatabase;
  let cluster: Cluster;

  beforeAll(async () => {
    pgServer = startPrivatePostgres();
    db = await createTestDatabase(pgServer.url);
    cluster = await startCluster({ databaseUrl: db.url, instances: 2 });
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
    pgServer?.remove();
  });

  it(`answers 503 while the database is down for ${DOWN_FOR_S} s and loses nothing it acknowledged`, async () => {
    const statuses = new Map<string, number>();
    const acknowledged = new Set<number>();
    const refused: number[] = [];
    const readyz: number[] = [];
    let sent = 0;
    const started = Date.now();
    const inFlight: Array<Promise<void>> = [];
    let downAt = 0;
    let upAt = 0;
    const outage = (async () => {
      await sleep(DOWN_AT_S * 1000);
      pgServer.stop();
      downAt = Date.now();
      for (const g of cluster.gateways) readyz.push((await fetch(`${g!.url}/readyz`)).status);
      await sleep(DOWN_FOR_S * 1000);
      pgServer.start();
      upAt = Date.now();
    })();
    while (Date.now() - started < SECONDS * 1000) {
      const id = ++sent;
      const gw = cluster.gateways[id % 2]!;
      inFlight.push(
        fetch(`${gw.url}/webhooks/telegram/bank-support`, {
          method: 'POST',
          body: JSON.stringify(telegramMessage(id, 'my card has not arrived', { chatId: 4_000_000 + id })),
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
          },
        }).then(
          async (res) => {
            const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
            const key = res.ok ? String(res.status) : `${res.status} ${body.error?.code ?? ''}`.trim();
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (res.ok) acknowledged.add(id);
            else refused.push(id);
          },
          () => {
            statuses.set('connection error', (statuses.get('connection error') ?? 0) + 1);
            refused.push(id);
          },
        ),
      );
      await sleep(1000 / RATE);
    }
    await Promise.all(inFlight);
    await outage;
    // The platform resends what was refused.
    await sleep(2000);
    const resendFailures: number[] = [];
    for (const id of refused) {
      const gw = cluster.gateways[id % 2]!;
      const res = await fetch(`${gw.url}/webhooks/telegram/bank-support`, {
        method: 'POST',
        body: JSON.stringify(telegramMessage(id, 'my card has not arrived', { chatId: 4_000_000 + id })),
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
        },
      });
      await res.arrayBuffer();
      if (res.ok) acknowledged.add(id);
      else resendFailures.push(id);
    }
    const drainMs = await drained(cluster.db, 120_000);
    const stored = await count(
      cluster.db,
      "SELECT count(DISTINCT delivery_id) FROM inbound_deliveries WHERE channel = 'telegram'",
    );
    const rows = await count(
      cluster.db,
      "SELECT count(*) FROM inbound_deliveries WHERE channel = 'telegram'",
    );
    const undecided = await count(
      cluster.db,
      "SELECT count(*) FROM messages m WHERE m.direction = 'in' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.message_id = m.id)",
    );
    recordFigures('postgres-restart', {
      sent,
      statuses: JSON.stringify(Object.fromEntries(statuses)),
      refusedThenResent: refused.length,
      downSeconds: Math.round((upAt - downAt) / 100) / 10,
      readyzWhileDown: readyz.join(' '),
      stored,
      drainMs,
    });
    const allowed = new Set(['200', '503 store_busy', '503 not_ready', '503 shutting_down']);
    expect([...statuses.keys()].filter((k) => !allowed.has(k))).toEqual([]);
    expect(readyz.every((s) => s === 503)).toBe(true);
    expect(resendFailures).toEqual([]);
    expect(acknowledged.size).toBe(sent);
    expect(stored).toBe(sent);
    expect(rows).toBe(sent);
    expect(undecided).toBe(0);
  });
});
