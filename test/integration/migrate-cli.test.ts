import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runMigrateCli } from '../../src/cli/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations/index.js';
import { tempDir } from '../helpers/config.js';
import { usePostgresDatabase } from '../helpers/postgres.js';

async function run(env: Record<string, string>, argv: string[] = []) {
  let out = '';
  let err = '';
  const code = await runMigrateCli(
    argv,
    { out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } },
    env,
  );
  return { code, out, err };
}

describe('npm run migrate', () => {
  const pgDb = usePostgresDatabase();

  it('creates and migrates the SQLite file in the data dir when no database URL is set', async () => {
    const dir = tempDir();
    const r = await run({ NEURODESK_DATA_DIR: dir });
    expect(r).toEqual({
      code: 0,
      out: `SQLite ${join(dir, 'neurodesk.db')}: schema at version ${MIGRATIONS.length}\n`,
      err: '',
    });
    expect(existsSync(join(dir, 'neurodesk.db'))).toBe(true);
  });

  it.skipIf(!pgDb.available)('migrates the PostgreSQL database NEURODESK_DATABASE_URL names', async () => {
    const r = await run({ NEURODESK_DATABASE_URL: pgDb.url(), NEURODESK_DATA_DIR: tempDir() });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(`^PostgreSQL 127\\.0\\.0\\.1:\\d+/\\S+: schema at version ${PG_MIGRATIONS.length}\\n$`),
    );
    const client = new pg.Client({ connectionString: pgDb.url() });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT to_regclass('public.conversations') AS t");
      expect(rows[0].t).toBe('conversations');
    } finally {
      await client.end();
    }
  });

  it('fails with exit 1 and names the server when PostgreSQL cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const r = await run({ NEURODESK_DATABASE_URL: `postgres://nobody:pw@127.0.0.1:${port}/desk` });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`migrate: PostgreSQL 127.0.0.1:${port}/desk:`);
    expect(r.err).toMatch(/cannot connect/);
    expect(r.err).not.toContain('pw');
  });

  it('refuses arguments it does not know', async () => {
    expect((await run({}, ['--force'])).code).toBe(2);
  });
});
