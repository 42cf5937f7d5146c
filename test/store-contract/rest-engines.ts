/**
 * The two stores the contract cases of the console, knowledge base, labels, shop and
 * training-run repositories run against: SQLite (a fresh in-memory database per case) and
 * PostgreSQL (a throwaway database per test file, emptied before each case).
 * PostgreSQL is found through NEURODESK_TEST_DATABASE_URL (a server URL whose user may
 * create databases); without it the PostgreSQL cases fail under CI=1 and are skipped otherwise.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import { openDatabase } from '../../src/store/database.js';
import { closePostgres, openPostgres, type PgPool } from '../../src/store/postgres/db.js';
import { PgConsoleStore } from '../../src/store/postgres/repositories/console-store.js';
import { PgKnowledgeBase } from '../../src/store/postgres/repositories/kb-answers.js';
import { PgOperatorLabels } from '../../src/store/postgres/repositories/operator-labels.js';
import { PgShopCatalogue } from '../../src/store/postgres/repositories/shop-catalogue.js';
import { PgShopEvents } from '../../src/store/postgres/repositories/shop-events.js';
import { PgShopImport } from '../../src/store/postgres/repositories/shop-import.js';
import { PgShopState } from '../../src/store/postgres/repositories/shop-state.js';
import { PgTrainingRuns } from '../../src/store/postgres/repositories/training-runs.js';
import { SqliteConsoleStore } from '../../src/store/repositories/console-store.js';
import { SqliteKnowledgeBase } from '../../src/store/repositories/kb-answers.js';
import { SqliteOperatorLabels } from '../../src/store/repositories/operator-labels.js';
import { SqliteShopCatalogue } from '../../src/store/repositories/shop-catalogue.js';
import { SqliteShopEvents } from '../../src/store/repositories/shop-events.js';
import { SqliteShopState } from '../../src/store/repositories/shop-state.js';
import { SqliteTrainingRuns } from '../../src/store/repositories/training-runs.js';
import type { Product, ShopEvent } from '../../src/shop/types.js';

/** A clock the cases move by hand. */
export class TestClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
}

/** The repositories under test, as either engine builds them (methods awaited either way). */
export interface RestRepos {
  console: PgConsoleStore | SqliteConsoleStore;
  knowledgeBase: PgKnowledgeBase | SqliteKnowledgeBase;
  labels: PgOperatorLabels | SqliteOperatorLabels;
  shopCatalogue: PgShopCatalogue | SqliteShopCatalogue;
  shopEvents: PgShopEvents | SqliteShopEvents;
  shopState: PgShopState | SqliteShopState;
  shopImport: {
    storeImport(
      data: { products: readonly Product[]; events: readonly ShopEvent[] },
      mark?: { key: string; value: string },
    ): Promise<{ products: number; events: number; duplicates: number }>;
  };
  trainingRuns: PgTrainingRuns | SqliteTrainingRuns;
}

/** One engine for one case: its repositories, a clock, and plain SQL to seed rows the repositories under test only read. */
export interface EngineCase {
  repos: RestRepos;
  clock: TestClock;
  /** Runs one statement (`?` placeholders) and returns its rows. */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

/** Engines the suite runs on, each with a `use()` to call at the top of a `describe` block. */
export const ENGINES = ['sqlite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

const serverUrl = process.env.NEURODESK_TEST_DATABASE_URL;

/** True when the engine's cases should run (PostgreSQL needs a server; CI insists on one). */
export function engineAvailable(name: EngineName): boolean {
  if (name === 'sqlite' || serverUrl) return true;
  if (process.env.CI === '1')
    throw new Error('NEURODESK_TEST_DATABASE_URL is not set: the PostgreSQL contract cases cannot run under CI');
  console.warn('NEURODESK_TEST_DATABASE_URL is not set: PostgreSQL contract cases skipped');
  return false;
}

/**
 * Registers the hooks that give each case a fresh store on `name` and returns a getter for it.
 * Call it inside a `describe`.
 */
export function useEngine(name: EngineName): () => EngineCase {
  let current: EngineCase | undefined;
  if (name === 'sqlite') {
    beforeEach(() => {
      const db = openDatabase(':memory:');
      const clock = new TestClock();
      const catalogue = new SqliteShopCatalogue(db, clock);
      const events = new SqliteShopEvents(db, clock);
      const state = new SqliteShopState(db, clock);
      current = {
        clock,
        repos: {
          console: new SqliteConsoleStore(db, clock),
          knowledgeBase: new SqliteKnowledgeBase(db, clock),
          labels: new SqliteOperatorLabels(db),
          shopCatalogue: catalogue,
          shopEvents: events,
          shopState: state,
          shopImport: sqliteImport(db, catalogue, events, state),
          trainingRuns: new SqliteTrainingRuns(db, clock),
        },
        sql: async <R>(text: string, params: unknown[] = []) => {
          const stmt = db.prepare(text);
          return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as R[];
        },
      };
    });
    return () => current!;
  }
  let admin: pg.Client | undefined;
  let pool: PgPool | undefined;
  const dbName = `nd_contract_${randomBytes(6).toString('hex')}`;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${dbName}`;
    pool = await openPostgres(url.toString(), { poolSize: 4 });
  });
  afterAll(async () => {
    if (pool) await closePostgres(pool);
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  });
  beforeEach(async () => {
    const p = pool!;
    const { rows } = await p.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'`,
    );
    await p.query(`TRUNCATE ${rows.map((r) => `"${r.name}"`).join(', ')} RESTART IDENTITY CASCADE`);
    const clock = new TestClock();
    current = {
      clock,
      repos: {
        console: new PgConsoleStore(p, clock),
        knowledgeBase: new PgKnowledgeBase(p, clock),
        labels: new PgOperatorLabels(p),
        shopCatalogue: new PgShopCatalogue(p, clock),
        shopEvents: new PgShopEvents(p, clock),
        shopState: new PgShopState(p, clock),
        shopImport: new PgShopImport(p, clock),
        trainingRuns: new PgTrainingRuns(p, clock),
      },
      sql: async <R>(text: string, params: unknown[] = []) => {
        let n = 0;
        const res = await p.query(
          text.replace(/\?/g, () => `$${++n}`),
          params,
        );
        return res.rows as R[];
      },
    };
  });
  return () => current!;
}

/** Today's SQLite bulk import (the importer's transaction) behind the port's shape. */
function sqliteImport(
  db: ReturnType<typeof openDatabase>,
  catalogue: SqliteShopCatalogue,
  events: SqliteShopEvents,
  state: SqliteShopState,
): RestRepos['shopImport'] {
  return {
    storeImport: async (data, mark) =>
      db
        .transaction(() => {
          for (const p of data.products) catalogue.insertOne(p);
          let duplicates = 0;
          for (const e of data.events) if (events.insertOne(e) === null) duplicates++;
          if (mark) state.set(mark.key, mark.value);
          return { products: data.products.length, events: data.events.length - duplicates, duplicates };
        })
        .immediate(),
  };
}
