import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/**
 * The PostgreSQL server tests may create databases on (`NEURODESK_TEST_DATABASE_URL`, a
 * server URL whose user may create databases; `.ci/run` starts one with
 * `scripts/test-postgres.sh`). Without it the PostgreSQL tests are skipped with a plain
 * message on a developer's machine; in CI (CI set) a missing server is an error, never a
 * silent skip.
 */
export function postgresServerOrExplain(): string | undefined {
  const url = process.env.NEURODESK_TEST_DATABASE_URL;
  if (url) return url;
  const message =
    'PostgreSQL tests need a server: set NEURODESK_TEST_DATABASE_URL (e.g. eval "$(scripts/test-postgres.sh start)")';
  if (process.env.CI) throw new Error(`${message}: it is not set, and CI must run them`);
  process.stderr.write(`SKIPPED: ${message}; it is not set here.\n`);
  return undefined;
}

/** The URL of database `name` on the server at `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A throwaway database: its URL, and how to drop it. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name on the server at `serverUrl`. */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `nd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: databaseUrl(serverUrl, name),
    // FORCE: a pool a failed test left open does not keep the database alive.
    drop: () =>
      onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/**
 * One throwaway database for the calling test file: created before its tests, dropped after
 * them. `url()` is undefined when no server is configured (the tests skip, outside CI).
 */
export function usePostgresDatabase(): { available: boolean; url(): string } {
  const server = postgresServerOrExplain();
  let db: TestDatabase | undefined;
  if (server) {
    beforeAll(async () => {
      db = await createTestDatabase(server);
    });
    afterAll(async () => {
      await db?.drop();
    });
  }
  return {
    available: server !== undefined,
    url: () => {
      if (!db) throw new Error('no test database: is NEURODESK_TEST_DATABASE_URL set?');
      return db.url;
    },
  };
}

async function onServer<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
