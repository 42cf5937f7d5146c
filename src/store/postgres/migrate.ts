import type pg from 'pg';
import { PostgresStartError } from './errors.js';
import type { PgMigration } from './migrations/index.js';

/**
 * The key of the transaction-scoped advisory lock every migration step holds
 * (`pg_advisory_xact_lock`): instances starting together take turns, and each one re-reads
 * the version under the lock, so a step runs once. Other advisory locks of the service use
 * other keys.
 */
export const MIGRATION_LOCK_KEY = 7_263_918_401;

/**
 * Applies, in order and each in its own transaction, every migration newer than the
 * database's version (the highest row of `schema_version`). Forward only: a database
 * newer than this code is refused rather than guessed at. PostgreSQL DDL is transactional,
 * so a step that fails leaves nothing behind. Returns the version reached.
 */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly PgMigration[],
  target?: number,
): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.at(-1)?.version ?? 0;
  const goal = Math.min(target ?? latest, latest);
  for (;;) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        // A migration (or the wait for another instance's) may outlast the pool's statement timeout.
        await client.query('SET LOCAL statement_timeout = 0');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_version (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at BIGINT NOT NULL
           )`,
        );
        const current = Number(
          (await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version')).rows[0]
            ?.v ?? 0,
        );
        if (current > latest) {
          throw new PostgresStartError(
            `database schema version ${current} is newer than this build knows (${latest}); upgrade neurodesk`,
          );
        }
        const next = migrations.find((m) => m.version === current + 1);
        if (!next || next.version > goal) {
          await client.query('COMMIT');
          return current;
        }
        await client.query(next.sql);
        await client.query('INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [
          next.version,
          next.name,
          Date.now(),
        ]);
        await client.query('COMMIT');
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
}

/** The database's schema version (0 when it was never migrated). */
export async function postgresSchemaVersion(db: pg.Pool | pg.PoolClient): Promise<number> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_version') AS t`);
  if (!exists.rows[0]?.t) return 0;
  const res = await db.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
  return Number(res.rows[0]?.v ?? 0);
}
