/**
 * Opens the store the config names: PostgreSQL when `NEURODESK_DATABASE_URL` is set (several
 * instances may share it), else SQLite in `NEURODESK_DATA_DIR` as before.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import type { ClusterLock } from '../core/cluster-lock.js';
import type { Clock } from '../core/ports.js';
import type { Logger } from '../logger.js';
import { openSqliteStore, type Store } from './index.js';
import { MIGRATIONS } from './migrations/index.js';
import { PgClusterLock } from './postgres/advisory-lock.js';
import { describePostgresUrl } from './postgres/db.js';
import { openPostgresStore } from './postgres/index.js';
import { PG_MIGRATIONS } from './postgres/migrations/index.js';

/** Opens (and migrates) the configured store; `instanceId` names this process in claims. */
export async function openConfiguredStore(
  config: Config,
  o: { clock: Clock; logger: Logger; instanceId: string },
): Promise<Store> {
  const { url, poolSize, statementTimeoutMs, claimLeaseMs } = config.database;
  if (url) {
    return openPostgresStore(url, {
      clock: o.clock,
      poolSize,
      statementTimeoutMs,
      instanceId: o.instanceId,
      leaseMs: claimLeaseMs,
      onIdleError: (err) => o.logger.warn({ err: err.message }, 'idle database connection lost'),
    });
  }
  return openSqliteStore(join(config.dataDir, 'neurodesk.db'), {
    clock: o.clock,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    checkpointer: {
      onError: (message) => o.logger.warn({ error: message }, 'WAL checkpoint failed; retrying'),
    },
  });
}

/**
 * The store for a command (`npm run kb`, `shop`, `operators`, `export`, `retrain`): the
 * gateway's PostgreSQL database when `NEURODESK_DATABASE_URL` is set, else the SQLite file in
 * `dataDir` (a command's `--data-dir`, or the config's).
 */
export async function openCommandStore(
  config: Config,
  o: { clock: Clock; dataDir?: string; command: string },
): Promise<Store> {
  const { url, statementTimeoutMs, claimLeaseMs } = config.database;
  if (url) {
    return openPostgresStore(url, {
      clock: o.clock,
      poolSize: 2,
      statementTimeoutMs,
      instanceId: `${hostname()}:${process.pid}:${o.command}`,
      leaseMs: claimLeaseMs,
    });
  }
  return openSqliteStore(join(o.dataDir ?? config.dataDir, 'neurodesk.db'), {
    clock: o.clock,
    busyTimeoutMs: config.dbBusyTimeoutMs,
  });
}

/** Where the configured store lives, for messages: `PostgreSQL host:port/db` or `SQLite <file>`. */
export function describeConfiguredStore(config: Config): string {
  const url = config.database.url;
  return url ? `PostgreSQL ${describePostgresUrl(url)}` : `SQLite ${join(config.dataDir, 'neurodesk.db')}`;
}

/**
 * Brings the configured database's schema up to date (opening the store migrates it) and
 * returns the schema version it is now at.
 */
export async function migrateConfiguredStore(config: Config, clock: Clock): Promise<number> {
  const store = await openCommandStore(config, { clock, command: 'migrate' });
  await store.close();
  return (config.database.url ? PG_MIGRATIONS : MIGRATIONS).length;
}

/**
 * A cluster-wide lock for a command that must not run beside its twin on another machine (a
 * retraining run): PostgreSQL advisory locks when `NEURODESK_DATABASE_URL` is set; none on
 * SQLite, where one machine owns the file and the command's lock file in the data dir suffices.
 */
export function openCommandLock(config: Config): { lock: ClusterLock; close(): Promise<void> } | undefined {
  const url = config.database.url;
  if (!url) return undefined;
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {}); // a lost idle connection: its lock went with it, the run reports
  return { lock: new PgClusterLock(() => pool.connect()), close: () => pool.end() };
}
