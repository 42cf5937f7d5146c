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

/**
 * Runs `fn` with commits that do not wait for the disk (`synchronous=NORMAL`), for the
 * workers' bookkeeping (claims, decisions, delivery marks) that no client is answered on.
 * A commit that waits for the disk costs a sync each (milliseconds on common disks, on the
 * event loop); these would otherwise cost several per message. In WAL mode commits stay in
 * order, so the next synced commit (the next acknowledged delivery) or checkpoint makes
 * them durable too: a crash of the process loses none of them, a power cut at most those
 * since the last synced commit (https://www.sqlite.org/pragma.html#pragma_synchronous).
 * Inside an open transaction it just runs `fn`: the outer commit decides.
 */
export function withoutDiskSync<T>(db: Database.Database, fn: () => T): T {
  if (db.inTransaction) return fn();
  // Not prepared statements: SQLite applies this pragma when compiling it, not when running it.
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}

/** True when SQLite answered SQLITE_BUSY/LOCKED: the caller may retry later. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
