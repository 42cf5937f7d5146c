import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRegistry } from '../../../src/nets/instances-port.js';
import { createStore, openDatabase } from '../../../src/store/index.js';
import { PgInstances } from '../../../src/store/postgres/instances.js';
import { sql as clusterSql } from '../../../src/store/postgres/migrations/008-cluster.js';
import {
  createThrowawayDatabase,
  type ThrowawayDatabase,
  testServerUrl,
} from '../../helpers/throwaway-pg.js';

const server = testServerUrl();
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
  registryCases(() => createStore(openDatabase(':memory:'), clock).instances);
});

describe.skipIf(!server)('instances registry on PostgreSQL', () => {
  let db: ThrowawayDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createThrowawayDatabase(server!, clusterSql);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  registryCases(() => new PgInstances(pool, clock));
});
