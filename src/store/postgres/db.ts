import pg from 'pg';
import { PostgresStartError } from './errors.js';
import { migratePostgres } from './migrate.js';
import { PG_MIGRATIONS, type PgMigration } from './migrations/index.js';

/** A pool of connections to the service's PostgreSQL database. */
export type PgPool = pg.Pool;
/** One connection checked out of the pool (inside {@link withTransaction}). */
export type PgClient = pg.PoolClient;
/** Anything a statement can run on: the pool (autocommit) or a client inside a transaction. */
export type PgQueryable = pg.Pool | pg.PoolClient;

export { PostgresStartError };

const INT8_OID = 20;

/**
 * BIGINT columns (ids, millisecond timestamps, `COUNT(*)`) come back as numbers, as they do from
 * SQLite. A value beyond 2^53 cannot be a number without losing digits: it fails loudly
 * instead of being rounded.
 */
export function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} does not fit a JavaScript number`);
  return n;
}

/** Per-pool type parsers (the process-wide `pg.types` stays untouched). */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseBigint
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * PostgreSQL's TEXT cannot hold U+0000 (SQLite's can): a NUL in a string parameter (a
 * customer's message may carry one) is stored as U+FFFD, the replacement character, rather
 * than failing the whole write. JSON written with `JSON.stringify` escapes NUL and is kept as is.
 */
export function textParams(params: readonly unknown[]): unknown[] {
  return params.map((p) =>
    typeof p === 'string' && p.includes('\u0000') ? p.replaceAll('\u0000', '\uFFFD') : p,
  );
}

/** Runs one statement and returns its rows. */
export async function query<R extends object = Record<string, unknown>>(
  db: PgQueryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  const res = await db.query<R>(sql, textParams(params));
  return res.rows;
}

/** Runs one statement and returns its first row, or undefined. */
export async function queryOne<R extends object = Record<string, unknown>>(
  db: PgQueryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R | undefined> {
  return (await query<R>(db, sql, params))[0];
}

/** Runs one statement and returns how many rows it changed. */
export async function execute(
  db: PgQueryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<number> {
  const res = await db.query(sql, textParams(params));
  return res.rowCount ?? 0;
}

/**
 * Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it
 * throws (the error is rethrown). The connection goes back to the pool either way; one whose
 * ROLLBACK failed is discarded rather than reused in an unknown state.
 */
export async function withTransaction<T>(
  pool: PgPool,
  fn: (client: PgClient) => Promise<T>,
  /** The statement(s) that open the transaction, without parameters (e.g. BEGIN and a SET LOCAL). */
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

/** Options for {@link openPostgres}. */
export interface OpenPostgresOptions {
  /** Connections in the pool (`NEURODESK_DB_POOL_SIZE`, default 10). */
  poolSize?: number;
  /** Server-side limit per statement (`NEURODESK_DB_STATEMENT_TIMEOUT_MS`, default 5000). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection, at start and from the pool (default 5000). */
  connectTimeoutMs?: number;
  /** Called with errors of idle connections (e.g. the server restarted); default: ignored. */
  onIdleError?: (err: Error) => void;
  migrations?: readonly PgMigration[];
}

/** `host:port/database` of a URL, without the password, for messages. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || ''}`;
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * Opens a pool on `url`, checks the server answers, and brings the schema up to date (the
 * migration runner serialises instances starting together). Fails with a
 * {@link PostgresStartError} naming host:port and the cause when the server cannot be reached,
 * and when the database's schema is newer than this build knows.
 */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PgPool> {
  const where = describePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: Math.max(1, Math.floor(options.poolSize ?? 10)),
    statement_timeout: Math.max(0, Math.floor(options.statementTimeoutMs ?? 5000)),
    connectionTimeoutMillis: Math.max(1, Math.floor(options.connectTimeoutMs ?? 5000)),
    // A transaction left open by a bug must not hold its locks for ever.
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'neurodesk',
    types,
  });
  // An idle connection that dies (server restart) must not crash the process; the next
  // query gets a fresh connection or a clear error.
  pool.on('error', (err) => options.onIdleError?.(err));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new PostgresStartError(`cannot connect to PostgreSQL at ${where}: ${causeOf(err)}`, {
      cause: err,
    });
  }
  try {
    await migratePostgres(pool, options.migrations ?? PG_MIGRATIONS);
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof PostgresStartError) throw err;
    throw new PostgresStartError(`cannot migrate PostgreSQL database ${where}: ${causeOf(err)}`, {
      cause: err,
    });
  }
  return pool;
}

/** Closes every connection of the pool. */
export async function closePostgres(pool: PgPool): Promise<void> {
  if (!pool.ended) await pool.end();
}

/** SQLSTATE classes and codes of a database that is down, overloaded or briefly locked. */
const BUSY_SQLSTATES = new Set([
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  '55P03',
  '40001',
  '40P01',
]);
const BUSY_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/**
 * True when PostgreSQL could not do the work now but may later: the server is unreachable or
 * restarting, out of connections, a statement hit the statement timeout, a lock or a
 * deadlock. The caller answers 503 with Retry-After (as for SQLite's busy errors); nothing
 * was committed.
 */
export function isPostgresBusyError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (BUSY_SQLSTATES.has(code) || BUSY_SOCKET_CODES.has(code) || code.startsWith('08')) return true;
  }
  if (err instanceof AggregateError) return err.errors.some(isPostgresBusyError);
  // pg's own messages when a connection cannot be had or dies mid-query.
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/i.test(
    err.message,
  );
}

function causeOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return causeOf(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const msg = err.message || err.name;
    return typeof code === 'string' && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(err);
}
