/**
 * A throwaway PostgreSQL database per test file, on the server `NEURODESK_TEST_DATABASE_URL`
 * names (a user that may create databases). Without it the file's tests are skipped with a
 * message, and fail under `CI=1`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server URL, or undefined when there is none (tests skip; `CI=1` makes them fail). */
export function testServerUrl(): string | undefined {
  const url = process.env.NEURODESK_TEST_DATABASE_URL;
  if (!url && process.env.CI === '1')
    throw new Error('NEURODESK_TEST_DATABASE_URL is not set: the PostgreSQL tests cannot run');
  if (!url) console.warn('NEURODESK_TEST_DATABASE_URL not set: skipping the PostgreSQL tests');
  return url;
}

/** A database created for this file; `drop` removes it (after closing `pools`). */
export interface ThrowawayDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a database with a random name on the server and runs `sql` in it. */
export async function createThrowawayDatabase(serverUrl: string, sql = ''): Promise<ThrowawayDatabase> {
  const name = `nd_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (sql) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(sql);
    await c.end();
  }
  return {
    url,
    name,
    async drop() {
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
