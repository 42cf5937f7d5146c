import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOrigin, GatewayEvent } from '../../../src/core/events.js';
import { createLogger } from '../../../src/logger.js';
import { PgEventBus } from '../../../src/store/postgres/live-events.js';
import { sql as clusterSql } from '../../../src/store/postgres/migrations/008-cluster.js';
import { createTestDatabase, postgresServerOrExplain, type TestDatabase } from '../../helpers/postgres.js';
import { sleep, waitFor } from '../../helpers/wait.js';

const server = postgresServerOrExplain();
const logger = createLogger('silent');

describe.skipIf(!server)('live events across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  const buses: PgEventBus[] = [];
  let clock = 1_000_000;

  beforeAll(async () => {
    db = await withSchema(await createTestDatabase(server!), clusterSql);
  });
  afterAll(async () => {
    for (const b of buses) await b.close(200);
    for (const p of pools) await p.end();
    await db?.drop();
  });

  /** An instance's bus and what its listeners received. */
  async function instance(id: string) {
    const pool = new pg.Pool({ connectionString: db.url, max: 3 });
    // As the gateway's pools do (src/store/cluster.ts): an idle connection the server ends (the
    // database dropped with FORCE after the tests) must not crash the test process.
    pool.on('error', () => {});
    pools.push(pool);
    const clients: pg.Client[] = [];
    const gate = { hold: Promise.resolve() };
    const bus = new PgEventBus({
      pool,
      connect: async () => {
        await gate.hold;
        const c = new pg.Client({ connectionString: db.url });
        c.on('error', () => {}); // as src/store/cluster.ts does: the bus reports and reconnects
        await c.connect();
        clients.push(c);
        return c;
      },
      instanceId: id,
      clock: { now: () => clock },
      logger,
      retryMs: 50,
    });
    buses.push(bus);
    const got: Array<{ event: GatewayEvent; origin: EventOrigin }> = [];
    bus.subscribe((event, origin) => got.push({ event, origin }));
    await bus.start();
    return { bus, got, pool, clients, gate };
  }

  const received = (conversationId: number, messageId: number): GatewayEvent => ({
    type: 'message.received',
    bot: 'b',
    channel: 'telegram',
    conversationId,
    messageId,
  });

  it('delivers an event of instance A once on A (local) and once on B (remote), in order', async () => {
    const a = await instance('a');
    const b = await instance('b');
    for (let i = 1; i <= 300; i++) a.bus.publish(received(1, i));
    await waitFor(() => b.got.length >= 300, 10_000, '300 events on B');
    await sleep(200);
    expect(b.got).toHaveLength(300);
    expect(b.got.every((g) => g.origin.remote)).toBe(true);
    expect(b.got.map((g) => (g.event as { messageId: number }).messageId)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    // A delivered its own at publish time and skipped them when notified.
    expect(a.got).toHaveLength(300);
    expect(a.got.every((g) => !g.origin.remote)).toBe(true);
  });

  it('loses nothing when the listening connection drops: the rows stored meanwhile are read on reconnect', async () => {
    const a = await instance('a2');
    const b = await instance('b2');
    const before = b.got.length;
    const listening = b.clients.at(-1)!;
    const pid = (listening as unknown as { processID: number }).processID;
    // The server cuts B's listening connection; B cannot reconnect until A's 200 events are
    // stored, so none of their notifications reach it: it must read them from the table.
    let reopen!: () => void;
    b.gate.hold = new Promise<void>((r) => {
      reopen = r;
    });
    await a.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => !b.bus.connected, 5000, 'B to notice the loss');
    for (let i = 1; i <= 200; i++) a.bus.publish(received(2, i));
    await waitFor(
      async () =>
        Number(
          (await a.pool.query("SELECT count(*) AS n FROM live_events WHERE instance = 'a2'")).rows[0].n,
        ) === 200,
      5000,
      "A's events stored",
    );
    expect(b.got.length).toBe(before);
    reopen();
    await waitFor(() => b.got.length - before >= 200, 10_000, '200 events on B after its reconnect');
    await sleep(300);
    const mine = b.got
      .slice(before)
      .filter((g) => (g.event as { conversationId: number }).conversationId === 2);
    expect(mine).toHaveLength(200);
    expect(new Set(mine.map((g) => (g.event as { messageId: number }).messageId)).size).toBe(200);
    expect(b.clients.length).toBeGreaterThanOrEqual(2);
  });

  it('passes typing in the notification only, never storing it', async () => {
    const a = await instance('a3');
    const b = await instance('b3');
    const rows = Number((await a.pool.query('SELECT count(*) AS n FROM live_events')).rows[0].n);
    a.bus.publish({ type: 'typing', conversationId: 9, who: 'operator', operator: 'ivan' });
    await waitFor(() => b.got.some((g) => g.event.type === 'typing'), 5000, 'typing on B');
    expect(b.got.find((g) => g.event.type === 'typing')).toEqual({
      event: { type: 'typing', conversationId: 9, who: 'operator', operator: 'ivan' },
      origin: { remote: true },
    });
    expect(a.got.filter((g) => g.event.type === 'typing')).toHaveLength(1);
    await sleep(100);
    expect(Number((await a.pool.query('SELECT count(*) AS n FROM live_events')).rows[0].n)).toBe(rows);
  });

  it('prunes rows older than the retention', async () => {
    const a = await instance('a4');
    a.bus.publish(received(4, 1));
    await waitFor(
      async () =>
        Number((await a.pool.query("SELECT count(*) AS n FROM live_events WHERE instance = 'a4'")).rows[0].n),
      5000,
    );
    clock += 11 * 60_000;
    expect(await a.bus.prune()).toBeGreaterThan(0);
    expect(Number((await a.pool.query('SELECT count(*) AS n FROM live_events')).rows[0].n)).toBe(0);
  });
});

/** Runs `sql` in the new database (the tables these tests need) and returns it. */
async function withSchema(db: TestDatabase, sql: string): Promise<TestDatabase> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(sql);
  await c.end();
  return db;
}
