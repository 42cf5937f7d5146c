import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessClusterLock } from '../../../src/core/cluster-lock.js';
import { PgClusterLock } from '../../../src/store/postgres/advisory-lock.js';
import { createTestDatabase, postgresServerOrExplain, type TestDatabase } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/wait.js';

const server = postgresServerOrExplain();

/** A promise and its resolve function. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

describe('in-process cluster lock (SQLite, one process)', () => {
  it('runs one holder of a name at a time and frees the name when the work throws', async () => {
    const lock = new InProcessClusterLock();
    const g = gate();
    const first = lock.tryRun('retrain', () => g.p.then(() => 'done'));
    expect(await lock.tryRun('retrain', async () => 'second')).toEqual({ ran: false });
    expect(await lock.tryRun('shop-model', async () => 'other name')).toEqual({
      ran: true,
      value: 'other name',
    });
    g.open();
    expect(await first).toEqual({ ran: true, value: 'done' });
    await expect(lock.tryRun('retrain', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await lock.tryRun('retrain', async () => 1)).toEqual({ ran: true, value: 1 });
  });
});

describe.skipIf(!server)('cluster lock on PostgreSQL advisory locks', () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(server!);
  });
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await db?.drop();
  });
  const instance = () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return { pool, lock: new PgClusterLock(() => pool.connect()) };
  };

  it('lets one instance of two run a named job; the other runs it once the first is done', async () => {
    const a = instance();
    const b = instance();
    const g = gate();
    const onA = a.lock.tryRun('retrain', () => g.p.then(() => 'a'));
    await waitFor(
      async () =>
        Number(
          (await b.pool.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'")).rows[0].n,
        ),
      5000,
      'the advisory lock taken',
    );
    expect(await b.lock.tryRun('retrain', async () => 'b')).toEqual({ ran: false });
    expect(await b.lock.tryRun('shop-model', async () => 'b')).toEqual({ ran: true, value: 'b' });
    g.open();
    expect(await onA).toEqual({ ran: true, value: 'a' });
    expect(await b.lock.tryRun('retrain', async () => 'b')).toEqual({ ran: true, value: 'b' });
    // Nothing held now, and the connections went back to their pools.
    const held = await a.pool.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'");
    expect(Number(held.rows[0].n)).toBe(0);
  });

  it('frees the lock of a holder whose connection dies (as when its process is killed)', async () => {
    const a = instance();
    const b = instance();
    const g = gate();
    const onA = a.lock.tryRun('retrain', () => g.p);
    const holder = await waitFor(
      async () =>
        (await b.pool.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted")).rows[0]?.pid,
      5000,
      'the holder',
    );
    await b.pool.query('SELECT pg_terminate_backend($1)', [holder]);
    await waitFor(async () => (await b.lock.tryRun('retrain', async () => true)).ran, 5000, 'the lock freed');
    g.open();
    await onA;
  });
});
