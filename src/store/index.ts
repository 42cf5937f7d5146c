/**
 * The store: every feature's storage port over one database. Callers type against the
 * ports (declared by the features) and `Store`; only this folder knows the engine.
 */
import type { Bitrix24InstallStore } from '../channels/bitrix24/installs-port.js';
import type { ConsoleStore } from '../console/console-store-port.js';
import type { OperatorStore } from '../console/operator-store-port.js';
import type { ConversationStore } from '../core/conversation-port.js';
import type { Clock, Inbox, JobQueue, Outbox, PredictionLog } from '../core/ports.js';
import type { KnowledgeBaseStore } from '../kb/types.js';
import type { InstanceRegistry } from '../nets/instances-port.js';
import type { OperatorLabelStore } from '../retraining/operator-labels-port.js';
import type { TrainingRunStore } from '../retraining/training-runs-port.js';
import type {
  ShopCatalogueStore,
  ShopEventStore,
  ShopImportStore,
  ShopStateStore,
} from '../shop/store-port.js';
import { startCheckpointer } from './checkpointer.js';
import { closeDatabase, isBusyError as isSqliteBusyError, openDatabase } from './database.js';
import { isPostgresBusyError } from './postgres/db.js';
import { createStore } from './sqlite.js';

export type { Bitrix24Install } from '../channels/bitrix24/installs-port.js';
export { PostgresStartError } from './postgres/errors.js';

/**
 * True when the database could not do the work now but may later (SQLite busy or locked;
 * PostgreSQL down, restarting, out of connections, timed out or deadlocked): the caller
 * answers 503 `store_busy` with Retry-After, and nothing was committed.
 */
export function isBusyError(err: unknown): boolean {
  return isSqliteBusyError(err) || isPostgresBusyError(err);
}

/** The repositories over one database, typed by the features' ports. */
export interface Store {
  inbox: Inbox;
  jobs: JobQueue;
  outbox: Outbox;
  predictions: PredictionLog;
  conversations: ConversationStore;
  bitrix24: Bitrix24InstallStore;
  operators: OperatorStore;
  console: ConsoleStore;
  shopCatalogue: ShopCatalogueStore;
  shopEvents: ShopEventStore;
  shopState: ShopStateStore;
  shopImport: ShopImportStore;
  labels: OperatorLabelStore;
  trainingRuns: TrainingRunStore;
  knowledgeBase: KnowledgeBaseStore;
  /** The gateway instances on this database and the nets each serves. */
  instances: InstanceRegistry;
  /** Resolves when the database answers (readiness); rejects with the engine's error otherwise. */
  ping(): Promise<void>;
  /** Stops the store's background work and closes the database (idempotent). */
  close(): Promise<void>;
}

/** How to open the SQLite store. */
export interface SqliteStoreOptions {
  clock: Clock;
  busyTimeoutMs?: number;
  /** Opens the file read-only (no migrations, no writes). */
  readonly?: boolean;
  /** Runs WAL checkpoints on a thread of their own (the gateway); off for commands and tests. */
  checkpointer?: { onError?: (message: string) => void };
}

/**
 * Opens (creating and migrating if needed) the SQLite store at `path`: WAL and
 * `synchronous=FULL`, one transaction per delivery, the inbox's group commit.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions): Store {
  const db = openDatabase(path, { busyTimeoutMs: options.busyTimeoutMs, readonly: options.readonly });
  const checkpointer = options.checkpointer && startCheckpointer(db, options.checkpointer);
  let closed: Promise<void> | undefined;
  return createStore(db, options.clock, () => {
    closed ??= (async () => {
      await checkpointer?.stop();
      closeDatabase(db);
    })();
    return closed;
  });
}
