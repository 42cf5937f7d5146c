import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations/index.js';
import {
  closePostgres,
  isPostgresBusyError,
  migratePostgres,
  openPostgres,
  openPostgresStore,
  PG_MIGRATIONS,
  type PgPool,
  PostgresStartError,
  parseBigint,
  postgresSchemaVersion,
  query,
  withTransaction,
} from '../../../src/store/postgres/index.js';
import { USAGE_COUNT } from '../../../src/store/postgres/repositories/kb-answers.js';
import { createTestDatabase, postgresServerOrExplain } from '../../helpers/postgres.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('opening PostgreSQL', () => {
  it('fails at start with the server’s host:port and the cause when nothing listens there', async () => {
    const port = await freePort();
    const err = await openPostgres(`postgres://neurodesk:secret@127.0.0.1:${port}/desk`).catch((e) => e);
    expect(err).toBeInstanceOf(PostgresStartError);
    expect(err.message).toMatch(
      new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/desk: .*ECONNREFUSED`),
    );
    expect(err.message).not.toContain('secret');
  });

  it('tells a database that is down or busy from a bad statement', async () => {
    const port = await freePort();
    const down = await openPostgres(`postgres://x@127.0.0.1:${port}/desk`).catch((e) => e);
    expect(isPostgresBusyError(down.cause)).toBe(true);
    expect(
      isPostgresBusyError(
        Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      ),
    ).toBe(true);
    expect(isPostgresBusyError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresBusyError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isPostgresBusyError('busy')).toBe(false);
  });

  it('reads BIGINT as a number, and refuses one a number cannot hold', () => {
    expect(parseBigint('1700000000000')).toBe(1_700_000_000_000);
    expect(parseBigint('-42')).toBe(-42);
    expect(() => parseBigint('9007199254740993')).toThrow(RangeError);
  });
});

const server = postgresServerOrExplain();

describe.skipIf(!server)('PostgreSQL schema and migrations', () => {
  const drops: Array<() => Promise<void>> = [];
  const pools: PgPool[] = [];
  const freshDatabase = async () => {
    const db = await createTestDatabase(server!);
    drops.push(db.drop);
    return db.url;
  };
  const open = async (url: string, options: Parameters<typeof openPostgres>[1] = {}) => {
    const pool = await openPostgres(url, { poolSize: 2, ...options });
    pools.push(pool);
    return pool;
  };
  let pool: PgPool;

  beforeAll(async () => {
    pool = await open(await freshDatabase());
  });
  afterAll(async () => {
    for (const p of pools) await closePostgres(p);
    for (const drop of drops) await drop();
  });

  it('has every SQLite table and column, under the same names', async () => {
    const sqlite = openDatabase(':memory:');
    const sqliteTables = sqlite
      .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => r.name);
    const pgColumns = await query<{ table_name: string; column_name: string }>(
      pool,
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    for (const table of sqliteTables) {
      const expected = sqlite
        .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
        .all()
        .map((r) => r.name)
        .sort();
      const actual = pgColumns.filter((c) => c.table_name === table).map((c) => c.column_name);
      // PostgreSQL's own columns: leases (several instances share the queues), and the
      // catalogue's first-stored order (SQLite's rowid).
      const extra =
        table === 'jobs' || table === 'outbox'
          ? ['claimed_by', 'lease_until']
          : table === 'shop_products'
            ? ['seq']
            : [];
      expect({ table, columns: actual.sort() }).toEqual({ table, columns: [...expected, ...extra].sort() });
    }
    const sqliteIndexes = sqlite
      .prepare<[], { name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name`,
      )
      .all()
      .map((r) => r.name);
    const pgIndexes = (
      await query<{ indexname: string }>(pool, `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)
    ).map((r) => r.indexname);
    expect(pgIndexes).toEqual(expect.arrayContaining(sqliteIndexes));
    expect(PG_MIGRATIONS.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    sqlite.close();
  });

  it('opens a store that answers ping, closes once, and then refuses work', async () => {
    const store = await openPostgresStore(await freshDatabase(), { clock: { now: () => 1 }, poolSize: 2 });
    await expect(store.ping()).resolves.toBeUndefined();
    await Promise.all([store.close(), store.close()]);
    await expect(store.ping()).rejects.toThrow();
  });

  it('migrates once when several instances start together', async () => {
    const url = await freshDatabase();
    const started = await Promise.all(Array.from({ length: 5 }, () => open(url)));
    const rows = await query<{ version: number }>(
      started[0]!,
      'SELECT version FROM schema_version ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
  });

  it('waits for another instance’s migration longer than the statement timeout', async () => {
    const url = await freshDatabase();
    const first = await open(url);
    const next = PG_MIGRATIONS.length + 1;
    const slow = [...PG_MIGRATIONS, { version: next, name: 'next-slow', sql: 'SELECT pg_sleep(0.6)' }];
    const second = await open(url, { statementTimeoutMs: 200 });
    const [a, b] = await Promise.all([migratePostgres(first, slow), migratePostgres(second, slow)]);
    expect([a, b]).toEqual([next, next]);
    expect(await postgresSchemaVersion(second)).toBe(next);
  });

  it('refuses to start on a schema newer than this build', async () => {
    const url = await freshDatabase();
    const p = await open(url);
    await p.query(`INSERT INTO schema_version (version, name, applied_at) VALUES (99, '099-future', 0)`);
    const err = await openPostgres(url).catch((e) => e);
    expect(err).toBeInstanceOf(PostgresStartError);
    expect(err.message).toMatch(
      new RegExp(
        `schema version 99 is newer than this build knows \\(${PG_MIGRATIONS.length}\\); upgrade neurodesk`,
      ),
    );
  });

  it('rolls a failing migration back whole, leaving the version where it was', async () => {
    const url = await freshDatabase();
    const p = await open(url);
    const broken = [
      ...PG_MIGRATIONS,
      {
        version: PG_MIGRATIONS.length + 1,
        name: 'next-broken',
        sql: 'CREATE TABLE half_done (x INT); SELECT 1/0;',
      },
    ];
    await expect(migratePostgres(p, broken)).rejects.toThrow(/division by zero/);
    expect(await postgresSchemaVersion(p)).toBe(PG_MIGRATIONS.length);
    expect((await query<{ t: string | null }>(p, `SELECT to_regclass('half_done') AS t`))[0]!.t).toBeNull();
  });

  it('stops a statement that runs longer than the configured timeout', async () => {
    const p = await open(await freshDatabase(), { statementTimeoutMs: 100 });
    await expect(p.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    expect(await query(p, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('rolls a transaction back when its function throws, and commits it otherwise', async () => {
    await expect(
      withTransaction(pool, async (c) => {
        await c.query(`INSERT INTO shop_state (key, value, updated_at) VALUES ('a', '1', 1)`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await withTransaction(pool, (c) =>
      c.query(`INSERT INTO shop_state (key, value, updated_at) VALUES ('b', '2', 2)`),
    );
    expect(await query(pool, 'SELECT key, updated_at FROM shop_state ORDER BY key')).toEqual([
      { key: 'b', updated_at: 2 },
    ]);
    expect(pool.idleCount + pool.waitingCount).toBe(pool.totalCount); // every client went back
  });

  it('counts an answer’s uses in the database, as SQLite’s triggers do', async () => {
    const [answer] = await query<{ id: number }>(
      pool,
      `INSERT INTO kb_answers (text, created_at, updated_at) VALUES ('Доставка занимает 3 дня', 0, 0) RETURNING id`,
    );
    const [conv] = await query<{ id: number }>(
      pool,
      `INSERT INTO conversations (bot, channel, external_chat_id, created_at, updated_at) VALUES ('b', 't', '1', 0, 0) RETURNING id`,
    );
    const [msg] = await query<{ id: number }>(
      pool,
      `INSERT INTO messages (conversation_id, direction, author, channel, text, created_at) VALUES ($1, 'in', 'customer', 't', '?', 0) RETURNING id`,
      [conv!.id],
    );
    await pool.query(
      `INSERT INTO operator_actions (conversation_id, operator, action, answer_id, created_at) VALUES ($1, 'op', 'accept_suggestion', $2, 0)`,
      [conv!.id, answer!.id],
    );
    const suggestions = JSON.stringify([
      { answerId: 999, text: 'other', score: 0.9 },
      { answerId: answer!.id, text: 'Доставка занимает 3 дня', score: 0.8 },
    ]);
    await pool.query(
      `INSERT INTO decisions (message_id, action, reason, suggestions, reply_text, language, created_at)
       VALUES ($1, 'auto_reply', 'confident', $2, 'Доставка занимает 3 дня', 'ru', 0)`,
      [msg!.id, suggestions],
    );
    const [row] = await query<{ usage_count: number; revision: number }>(
      pool,
      // The triggers append uses (migration 009); readers add them to the folded count.
      `SELECT ${USAGE_COUNT} AS usage_count, revision FROM kb_answers WHERE id = $1`,
      [answer!.id],
    );
    expect(row).toEqual({ usage_count: 2, revision: 1 });
  });
});
