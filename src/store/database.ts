import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type { Database } from 'better-sqlite3';

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  busyTimeoutMs?: number;
  migrations?: readonly Migration[];
  readonly?: boolean;
}

/**
 * Opens (creating if needed) the service's SQLite file and brings its schema up to date.
 *
 * WAL lets readers run beside the writer; `synchronous=FULL` makes every commit durable
 * before we acknowledge a delivery, so an acknowledged ticket survives a power cut
 * (https://www.sqlite.org/pragma.html#pragma_synchronous).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
  }
  return db;
}

/** Checkpoints the WAL into the main file and closes the handle. */
export function closeDatabase(db: Database.Database): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** True when SQLite answered SQLITE_BUSY/LOCKED: the caller may retry later. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
