import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRegistry } from '../../../src/nets/instances-port.js';
import { openSqliteStore } from '../../../src/store/index.js';
import { PgInstances } from '../../../src/store/postgres/instances.js';
import { sql as clusterSql } from '../../../src/store/postgres/migrations/008-cluster.js';
import { createTestDatabase, postgresServerOrExplain, type TestDatabase } from '../../helpers/postgres.js';

const server = postgresServerOrExplain();
let now = 1_000_000;
const clock = { now: () => now };

/** The same cases on both engines. */
function registryCases(make: () => InstanceRegistry) {
  it('records each instance with the version of each net it serves, and forgets silent ones', async () => {
    const r = make();
    const a = { id: 'h1:10:aa', host: 'h1', pid: 10, startedAt: 1 };
    const b = { id: 'h2:20:bb', host: 'h2', pid: 20, startedAt: 2 };
    await r.beat(a, { 'bank-classifier': { version: 'v2', since: 5 } });
    await r.beat(b, { 'bank-classifier': { version: 'v1', since: 6 } });
    now += 1000;
    await r.beat(a, { 'bank-classifier': { version: 'v3', since: now } });
    const all = await r.list(0);
    expect(all.map((i) => [i.id, i.nets['bank-classifier']?.version])).toEqual([
      ['h1:10:aa', 'v3'],
      ['h2:20:bb', 'v1'],
    ]);
    expect(all[0]).toMatchObject({ host: 'h1', pid: 10, startedAt: 1, heartbeatAt: now });
    // Only those heard from lately count as live.
    expect((await r.list(now)).map((i) => i.id)).toEqual(['h1:10:aa']);
    await r.remove('h1:10:aa', now);
    expect(await r.list(0)).toEqual([]);
  });
}

describe('instances registry on SQLite', () => {
  registryCases(() => openSqliteStore(':memory:', { clock }).instances);
});

describe.skipIf(!server)('instances registry on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await withSchema(await createTestDatabase(server!), clusterSql);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => {}); // an idle connection ended by the server (database dropped) is not a crash
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  registryCases(() => new PgInstances(pool, clock));
});

/** Runs `sql` in the new database (the tables these tests need) and returns it. */
async function withSchema(db: TestDatabase, sql: string): Promise<TestDatabase> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(sql);
  await c.end();
  return db;
}
