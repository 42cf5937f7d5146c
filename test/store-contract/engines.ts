/**
 * The contract suite's two stores. Every case file runs its cases on SQLite (a temporary
 * file) and on PostgreSQL (a throwaway database on NEURODESK_TEST_DATABASE_URL's server):
 *
 *   describeEachStore('inbox', (t, engine) => { it('...', async () => { await t().store.inbox... }) });
 *
 * Cases use the ports only, always with `await`, and a clock they move by hand. Each test
 * gets an empty store, plus `other`: a second instance on the same database (another
 * handle on SQLite; another pool and instance id on PostgreSQL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import {
  closePostgres,
  createPostgresStore,
  openPostgres,
  type PgPool,
  type PostgresStore,
} from '../../src/store/postgres/index.js';
import { createStore, openDatabase } from '../../src/store/sqlite.js';
import { usePostgresDatabase } from '../helpers/postgres.js';

/** What the contract cases may use: the ports both engines implement. */
export type ContractStore = PostgresStore;

/** A clock the test moves. */
export interface TestClock extends Clock {
  t: number;
  advance(ms: number): void;
}

export const START = 1_700_000_000_000;
/** The lease PostgreSQL instances take on jobs and outbox items in these cases. */
export const LEASE_MS = 30_000;

export function testClock(t = START): TestClock {
  return {
    t,
    now() {
      return this.t;
    },
    advance(ms) {
      this.t += ms;
    },
  };
}

/** One test's stores. */
export interface StoreFixture {
  clock: TestClock;
  /** "Instance 1". */
  store: ContractStore;
  /** "Instance 2": another instance on the same database. */
  other: ContractStore;
  /** How many rows `table` holds (for what no port reads back). */
  count(table: string): Promise<number>;
  /**
   * Runs one statement (`?` placeholders, SQL both engines accept) and returns its rows: seeds
   * rows that the ports under test only read (e.g. decisions and predictions for the console).
   */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface Engine {
  name: 'sqlite' | 'postgres';
  /** Whether the engine can run here (PostgreSQL needs a server). */
  available: boolean;
  /** Claims expire and pass to another instance (PostgreSQL); SQLite has one instance, no leases. */
  leases: boolean;
  open(): Promise<StoreFixture>;
  close(f: StoreFixture): Promise<void>;
}

function sqliteEngine(): Engine {
  const files = new Map<StoreFixture, { dir: string; close: () => Promise<void> }>();
  return {
    name: 'sqlite',
    available: true,
    leases: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'nd-contract-'));
      const path = join(dir, 'neurodesk.db');
      const clock = testClock();
      const db1 = openDatabase(path);
      const db2 = openDatabase(path);
      const store = createStore(db1, clock);
      const other = createStore(db2, clock);
      const f: StoreFixture = {
        clock,
        store,
        other,
        count: async (table) => (db1.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
        sql: async <R>(text: string, params: unknown[] = []) => {
          const stmt = db1.prepare(text);
          if (stmt.reader) return stmt.all(...params) as R[];
          stmt.run(...params);
          return [];
        },
      };
      files.set(f, {
        dir,
        close: async () => {
          await store.close();
          await other.close();
        },
      });
      return f;
    },
    async close(f) {
      const entry = files.get(f);
      if (!entry) return;
      files.delete(f);
      await entry.close();
      rmSync(entry.dir, { recursive: true, force: true });
    },
  };
}

function postgresEngine(): Engine {
  const database = usePostgresDatabase();
  let pool1: PgPool | undefined;
  let pool2: PgPool | undefined;
  if (database.available) {
    beforeAll(async () => {
      pool1 = await openPostgres(database.url(), { poolSize: 8 });
      pool2 = await openPostgres(database.url(), { poolSize: 8 });
    });
    afterAll(async () => {
      if (pool1) await closePostgres(pool1);
      if (pool2) await closePostgres(pool2);
    });
  }
  return {
    name: 'postgres',
    available: database.available,
    leases: true,
    async open() {
      const p1 = pool1!;
      // DELETE, children first: TRUNCATE costs half a second per test on a loaded machine.
      await p1.query(
        `BEGIN; ${(await tablesChildrenFirst(p1)).map((t) => `DELETE FROM ${t};`).join(' ')} COMMIT;`,
      );
      const clock = testClock();
      const keepPools = async () => {};
      return {
        clock,
        store: createPostgresStore(p1, clock, { instanceId: 'instance-1', leaseMs: LEASE_MS }, keepPools),
        other: createPostgresStore(pool2!, clock, { instanceId: 'instance-2', leaseMs: LEASE_MS }, keepPools),
        count: async (table) =>
          (await p1.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n,
        sql: async <R>(text: string, params: unknown[] = []) => {
          let n = 0;
          return (
            await p1.query(
              text.replace(/\?/g, () => `$${++n}`),
              params,
            )
          ).rows as R[];
        },
      };
    },
    async close() {},
  };
}

/** The database's tables, each after every table that references it. */
async function tablesChildrenFirst(pool: PgPool): Promise<string[]> {
  const tables = (
    await pool.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'`,
    )
  ).rows.map((r) => r.t);
  const refs = (
    await pool.query<{ child: string; parent: string }>(
      `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent
       FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid`,
    )
  ).rows;
  const order: string[] = [];
  const visit = (t: string, seen: Set<string>) => {
    if (order.includes(t) || seen.has(t)) return;
    seen.add(t);
    for (const r of refs) if (r.parent === t) visit(r.child, seen);
    order.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return order;
}

/** Both engines; call once per file, at its top level (PostgreSQL's database lives as long as the file). */
export function storeEngines(): Engine[] {
  return [sqliteEngine(), postgresEngine()];
}

let engines: Engine[] | undefined;

/**
 * `describe`s `title` once per engine, with a fresh fixture for each test (`t()`). An engine
 * that cannot run here is skipped (PostgreSQL without a server, outside CI).
 */
export function describeEachStore(
  title: string,
  body: (t: () => StoreFixture, engine: Engine) => void,
): void {
  engines ??= storeEngines();
  for (const engine of engines) {
    describe.skipIf(!engine.available)(`${title} [${engine.name}]`, () => {
      let fixture: StoreFixture | undefined;
      beforeEach(async () => {
        fixture = await engine.open();
      });
      afterEach(async () => {
        if (fixture) await engine.close(fixture);
        fixture = undefined;
      });
      body(() => fixture!, engine);
    });
  }
}
