import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { hashPassword } from '../src/console/passwords.js';
import { rateLimitCost } from './cluster/rate-limit-cost.js';
import { type GatewayProcess, spawnGateway } from './gateway-process.js';
import { steadyLoad } from './steady-load.js';
import { writeBenchResults } from './write-results.js';

/**
 * `npm run bench:cluster [-- --seconds 30] [--rate 300] [--server postgres://…/postgres]`
 *
 * Gateway processes (the real entry with the keyword rules of the reliability suite in place
 * of the nets, so the figures are the gateway's and the database's, not TF.js's) on SQLite and
 * on a throwaway PostgreSQL database of `--server` (default `NEURODESK_BENCH_DATABASE_URL`,
 * else the development server), a fake Telegram API on loopback:
 * - webhook acknowledgement at a steady `--rate` per second: PostgreSQL, one instance, and
 *   SQLite in the same run;
 * - deliveries per second sustained (acknowledged, and processed: decided and replied) by one
 *   and by two instances on the same PostgreSQL, the load split between them, with each
 *   process's CPU time (where the time goes);
 * - console event latency: a customer message posted to instance A, until the console
 *   connected to instance B shows it (and, for comparison, the console on A);
 * - failover: an instance holding claimed work is killed; time until another instance has
 *   finished all of it (the claim lease is `--lease` ms, default 30,000);
 * - what a cluster-wide rate limit would cost per webhook (one upsert per request).
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '300' },
    server: { type: 'string' },
    lease: { type: 'string', default: '30000' },
    only: { type: 'string', default: 'ack,throughput,console,failover,ratelimit' },
    engines: { type: 'string', default: 'sqlite,postgres' },
  },
});
const ONLY = new Set(values.only.split(','));
const ENGINES = values.engines.split(',') as Array<'sqlite' | 'postgres'>;
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const LEASE_MS = Number(values.lease);
const SERVER =
  values.server ?? process.env.NEURODESK_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';
const SECRET = 'bench-telegram-secret-0123456789';
const KEY = 'bench-key-0123456789';
const loadAtStart = loadavg()[0]!;

/** A fake Telegram API: answers every call (after `delayMs`), counting sendMessage calls. */
async function fakeTelegram(): Promise<{ url: string; sent: () => number; delayMs: number; server: Server }> {
  let sent = 0;
  const api = {
    url: '',
    delayMs: 0,
    sent: () => sent,
    server: createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.endsWith('/sendMessage')) sent++;
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, result: { message_id: 1 } }));
        }, api.delayMs);
      });
    }),
  };
  await new Promise<void>((r) => api.server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  return api;
}

async function throwawayDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `nd_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: SERVER });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

const operatorHash = await hashPassword('bench-password');

/** A gateway process on the keyword fixture with the bench's settings. */
function gateway(apiUrl: string, env: Record<string, string>): Promise<GatewayProcess> {
  return spawnGateway({
    entry: { script: 'test/fixtures/keyword-gateway.ts' },
    env: {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      HOME: process.env.HOME ?? '',
      NEURODESK_DATA_DIR: mkdtempSync(join(tmpdir(), 'neurodesk-bench-cluster-')),
      NEURODESK_API_KEYS: KEY,
      NEURODESK_RATE_LIMIT: '0',
      NEURODESK_SHOP_DEMO: 'off',
      NEURODESK_DEMO_PAGE: 'off',
      NEURODESK_TELEGRAM_API_URL: `${apiUrl}/telegram`,
      BANK_SUPPORT_TELEGRAM_BOT_TOKEN: '123456:bench-token',
      BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET: SECRET,
      NEURODESK_CONSOLE_OPERATORS: `ann:${operatorHash}`,
      NEURODESK_CLAIM_LEASE: `${LEASE_MS}ms`,
      ...env,
    },
  });
}

let updateId = 0;
/** A Telegram update as the webhook gets it; `chat` picks the conversation. */
function update(text: string, chat: number) {
  updateId++;
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      from: { id: chat, is_bot: false, first_name: 'Bench', language_code: 'en' },
      chat: { id: chat, first_name: 'Bench', type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  });
}
const webhook = (text: string, chat: number) => ({
  path: '/webhooks/telegram/bank-support',
  body: update(text, chat),
  headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
});
const TEXTS = [
  'my card has not arrived',
  'what is the exchange rate',
  'someone stole my card',
  'hmm, a question',
];

/** CPU seconds a process used so far (Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * Where the database's time goes: samples the gateways' connections every 50 ms (active, and
 * what they wait for) and says, for the busiest statements, in what share of the samples a
 * connection was running them.
 */
function sampleDatabase(url: string): { stop(): Promise<string> } {
  const c = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const name = new URL(url).pathname.slice(1);
  const loop = (async () => {
    await c.connect();
    while (running) {
      const r = await c.query(
        `SELECT state, wait_event_type, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 48) AS q FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name = 'neurodesk'`,
        [name],
      );
      samples++;
      for (const row of r.rows) {
        const key =
          row.state === 'active'
            ? `${row.q}${row.wait_event_type ? ` [${row.wait_event_type}]` : ''}`
            : String(row.state);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    await c.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${(v / Math.max(1, samples)).toFixed(2)} × "${k}"`)
        .join('; ');
    },
  };
}

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number(Object.values((await c.query(sql)).rows[0])[0]);
  } finally {
    await c.end();
  }
}

const figures: Record<string, number | string> = {};
const api = await fakeTelegram();

// 1. Webhook acknowledgement at a steady rate: SQLite, then PostgreSQL, one instance each.
for (const engine of ONLY.has('ack') ? ENGINES : []) {
  const db = engine === 'postgres' ? await throwawayDatabase() : undefined;
  const gw = await gateway(api.url, db ? { NEURODESK_DATABASE_URL: db.url } : {});
  try {
    let i = 0;
    await steadyLoad(gw.url, RATE, 3, () => webhook(TEXTS[i++ % 4]!, 10_000 + (i % 500))); // warm-up
    const r = await steadyLoad(gw.url, RATE, SECONDS, () => webhook(TEXTS[i++ % 4]!, 10_000 + (i % 500)));
    console.log(
      `${engine}: ${RATE}/s for ${SECONDS} s: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, failed ${r.failed}`,
    );
    const key = engine === 'postgres' ? 'postgres' : 'sqlite';
    figures[`${key}AckP50Ms`] = r.p50Ms;
    figures[`${key}AckP99Ms`] = r.p99Ms;
    figures[`${key}AckMaxMs`] = r.maxMs;
    figures[`${key}AckFailed`] = r.failed;
  } finally {
    await gw.stop();
    await db?.drop();
  }
}

// 2. Deliveries per second sustained, one and two instances on one PostgreSQL.
for (const n of ONLY.has('throughput') ? [1, 2] : []) {
  const db = await throwawayDatabase();
  const gws: GatewayProcess[] = [];
  for (let k = 0; k < n; k++) gws.push(await gateway(api.url, { NEURODESK_DATABASE_URL: db.url }));
  try {
    const cpu0 = await Promise.all(gws.map((g) => cpuSeconds(g.child.pid!)));
    const sent0 = api.sent();
    const sampler = sampleDatabase(db.url);
    const started = performance.now();
    let acked = 0;
    let next = 0;
    const until = started + SECONDS * 1000;
    // Closed loop: 32 requests in flight, spread over the instances in turn.
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (performance.now() < until) {
          const i = next++;
          const w = webhook(TEXTS[i % 4]!, 20_000 + i);
          const res = await fetch(`${gws[i % n]!.url}${w.path}`, {
            method: 'POST',
            body: w.body,
            headers: w.headers,
          });
          await res.arrayBuffer();
          if (res.ok) acked++;
        }
      }),
    );
    const ackSeconds = (performance.now() - started) / 1000;
    // Then until every acknowledged delivery is decided and its replies sent.
    for (;;) {
      const open = await count(
        db.url,
        "SELECT (SELECT count(*) FROM jobs WHERE status IN ('pending','running')) + (SELECT count(*) FROM outbox WHERE status IN ('pending','sending'))",
      );
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const allSeconds = (performance.now() - started) / 1000;
    const where = await sampler.stop();
    figures[`instances${n}DatabaseBusy`] = where;
    console.log(`  the database's connections, sampled every 50 ms: ${where}`);
    const cpu = (await Promise.all(gws.map((g) => cpuSeconds(g.child.pid!)))).map((c, k) => c - cpu0[k]!);
    figures[`instances${n}AckedPerS`] = Math.round(acked / ackSeconds);
    figures[`instances${n}ProcessedPerS`] = Math.round(acked / allSeconds);
    figures[`instances${n}RepliesSent`] = api.sent() - sent0;
    figures[`instances${n}GatewayCpuMsPerDelivery`] =
      Math.round((cpu.reduce((a, b) => a + b, 0) / Math.max(1, acked)) * 1e6) / 1e3;
    figures[`instances${n}GatewayCpuShare`] = cpu
      .map((c) => `${Math.round((c / allSeconds) * 100)}%`)
      .join(' ');
    console.log(
      `${n} instance(s): ${figures[`instances${n}AckedPerS`]} acked/s, ${figures[`instances${n}ProcessedPerS`]} processed/s, gateway CPU ${figures[`instances${n}GatewayCpuShare`]}`,
    );
  } finally {
    await Promise.all(gws.map((g) => g.stop()));
    await db.drop();
  }
}

// 3. Console event latency: a message posted to A, shown on a console connected to B (and A).
if (ONLY.has('console')) {
  const db = await throwawayDatabase();
  const a = await gateway(api.url, { NEURODESK_DATABASE_URL: db.url });
  const b = await gateway(api.url, { NEURODESK_DATABASE_URL: db.url });
  try {
    const consoleOn = async (url: string) => {
      const res = await fetch(`${url}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'ann', password: 'bench-password' }),
      });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/console`, { headers: { cookie } });
      const seen = new Map<number, number>();
      ws.on('message', (d) => {
        const f = JSON.parse(String(d));
        if (f.type === 'event' && f.event.kind === 'message.added' && f.event.message.direction === 'in')
          seen.set(Number(f.event.message.id), performance.now());
      });
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
      return { ws, seen };
    };
    const onB = await consoleOn(b.url);
    const onA = await consoleOn(a.url);
    // Ten conversations handed to the operators first (the classifier is unsure of the text).
    for (let c = 0; c < 10; c++) {
      const w = webhook('hmm, a question', 30_000 + c);
      await fetch(`${a.url}${w.path}`, { method: 'POST', body: w.body, headers: w.headers });
    }
    await new Promise((r) => setTimeout(r, 3000));
    const sentAt = new Map<number, number>();
    const messages = Math.min(400, 20 * SECONDS);
    for (let i = 0; i < messages; i++) {
      const w = webhook('and one more thing', 30_000 + (i % 10));
      const t = performance.now();
      const res = await fetch(`${a.url}${w.path}`, { method: 'POST', body: w.body, headers: w.headers });
      const body = (await res.json().catch(() => ({}))) as { message_id?: number };
      void body;
      sentAt.set(i, t);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 2000));
    // The message ids of the posted messages, in order, from the database.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const ids = (
      await c.query(
        "SELECT m.id FROM messages m JOIN conversations k ON k.id = m.conversation_id WHERE m.direction = 'in' AND m.text = 'and one more thing' ORDER BY m.id",
      )
    ).rows.map((r) => Number(r.id));
    await c.end();
    const lat = (seen: Map<number, number>) =>
      ids.flatMap((id, i) => (seen.has(id) && sentAt.has(i) ? [seen.get(id)! - sentAt.get(i)!] : []));
    const p = (xs: number[], q: number) => {
      const s = [...xs].sort((x, y) => x - y);
      return Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN) * 10) / 10;
    };
    const onBLat = lat(onB.seen);
    const onALat = lat(onA.seen);
    figures.consoleEventsPosted = ids.length;
    figures.consoleEventsOnB = onBLat.length;
    figures.consoleLatencyAtoBP50Ms = p(onBLat, 0.5);
    figures.consoleLatencyAtoBP99Ms = p(onBLat, 0.99);
    figures.consoleLatencySameInstanceP50Ms = p(onALat, 0.5);
    figures.consoleLatencySameInstanceP99Ms = p(onALat, 0.99);
    console.log(
      `console A→B: ${onBLat.length}/${ids.length} events, p50 ${figures.consoleLatencyAtoBP50Ms} ms, p99 ${figures.consoleLatencyAtoBP99Ms} ms (same instance p99 ${figures.consoleLatencySameInstanceP99Ms} ms)`,
    );
    onA.ws.close();
    onB.ws.close();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await db.drop();
  }
}

// 4. Failover: the instance holding the work is killed; another finishes it after the lease.
if (ONLY.has('failover')) {
  const db = await throwawayDatabase();
  const survivor = await gateway(api.url, { NEURODESK_DATABASE_URL: db.url, NEURODESK_WORKER_POLL: '250ms' });
  const victim = await gateway(api.url, { NEURODESK_DATABASE_URL: db.url });
  try {
    // The platform answers slowly: the victim holds replies in `sending` when it dies.
    api.delayMs = 5000;
    for (let i = 0; i < 40; i++) {
      const w = webhook(TEXTS[i % 3]!, 40_000 + i);
      await fetch(`${victim.url}${w.path}`, { method: 'POST', body: w.body, headers: w.headers });
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const pid = victim.child.pid!;
    const heldBy = `%:${pid}:%`;
    for (;;) {
      const held = Number(
        (
          await c.query("SELECT count(*) AS n FROM outbox WHERE status = 'sending' AND claimed_by LIKE $1", [
            heldBy,
          ])
        ).rows[0].n,
      );
      if (held > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const held = (
      await c.query(
        "SELECT id FROM outbox WHERE claimed_by LIKE $1 AND status = 'sending' UNION ALL SELECT id FROM jobs WHERE claimed_by LIKE $1 AND status = 'running'",
        [heldBy],
      )
    ).rowCount;
    victim.child.kill('SIGKILL');
    const killedAt = performance.now();
    api.delayMs = 0;
    for (;;) {
      const open = Number(
        (
          await c.query(
            "SELECT (SELECT count(*) FROM jobs WHERE status IN ('pending','running')) + (SELECT count(*) FROM outbox WHERE status IN ('pending','sending')) AS n",
          )
        ).rows[0].n,
      );
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.end();
    figures.failoverHeldItems = held ?? 0;
    figures.failoverSeconds = Math.round((performance.now() - killedAt) / 100) / 10;
    figures.failoverLeaseSeconds = LEASE_MS / 1000;
    figures.failoverTargetSeconds = LEASE_MS / 1000 + 5;
    console.log(
      `failover: ${held} items held by the killed instance, all finished ${figures.failoverSeconds} s after the kill (lease ${LEASE_MS / 1000} s)`,
    );
  } finally {
    api.delayMs = 0;
    await survivor.stop();
    await db.drop();
  }
}

// 5. What a cluster-wide rate limit would cost each webhook.
if (ONLY.has('ratelimit')) {
  const db = await throwawayDatabase();
  try {
    const r = await rateLimitCost(db.url);
    figures.rateLimitDistinctKeysP50Ms = r.distinctKeys.p50Ms;
    figures.rateLimitDistinctKeysP99Ms = r.distinctKeys.p99Ms;
    figures.rateLimitDistinctKeysPerS = r.distinctKeys.perS;
    figures.rateLimitHotKeyP50Ms = r.oneHotKey.p50Ms;
    figures.rateLimitHotKeyP99Ms = r.oneHotKey.p99Ms;
    figures.rateLimitHotKeyPerS = r.oneHotKey.perS;
    figures.rateLimitInProcessNs = r.inProcessNs;
    console.log(`rate limit upsert: p99 ${r.distinctKeys.p99Ms} ms (one hot key ${r.oneHotKey.p99Ms} ms)`);
  } finally {
    await db.drop();
  }
}

api.server.close();
figures.rate = RATE;
figures.seconds = SECONDS;
figures.loadAverageAtStart = Math.round(loadAtStart * 100) / 100;
figures.loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
const path = writeBenchResults(
  ONLY.size === 5 ? 'cluster' : `cluster-${[...ONLY].join('-')}`,
  `npm run bench:cluster -- --seconds ${SECONDS} --rate ${RATE} --only ${values.only} --engines ${values.engines}`,
  figures,
);
console.log(`wrote ${path}`);
