/**
 * The two stores the contract cases of the console, knowledge base, labels, shop and
 * training-run repositories run against: SQLite (a fresh in-memory database per case) and
 * PostgreSQL (a throwaway database per test file, emptied before each case), each built whole
 * by its engine's store factory.
 * PostgreSQL is found through NEURODESK_TEST_DATABASE_URL (a server URL whose user may
 * create databases); without it the PostgreSQL cases fail under CI=1 and are skipped otherwise.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import { openDatabase } from '../../src/store/database.js';
import type { Store } from '../../src/store/index.js';
import {
  closePostgres,
  createPostgresStore,
  openPostgres,
  type PgPool,
} from '../../src/store/postgres/index.js';
import { createStore } from '../../src/store/sqlite.js';

/** A clock the cases move by hand. */
export class TestClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
}

/** One engine for one case: its repositories, a clock, and plain SQL to seed rows the repositories under test only read. */
export interface EngineCase {
  /** The whole store, typed by its ports. */
  repos: Store;
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
    throw new Error(
      'NEURODESK_TEST_DATABASE_URL is not set: the PostgreSQL contract cases cannot run under CI',
    );
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
      current = {
        clock,
        repos: createStore(db, clock),
        sql: async <R>(text: string, params: unknown[] = []) => {
          const stmt = db.prepare(text);
          if (stmt.reader) return stmt.all(...params) as R[];
          stmt.run(...params);
          return [];
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
    // The pool stays open across cases: `close` is a no-op here, afterAll ends it.
    current = {
      clock,
      repos: createPostgresStore(p, clock, {}, async () => {}),
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
