/**
 * The SQLite store's pieces. Only `src/store` and the store's own tests use this module:
 * everything else opens a store through `openSqliteStore` and sees the ports.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../core/ports.js';
import { closeDatabase } from './database.js';
import type { Store } from './index.js';
import { SqliteBitrix24Installs } from './repositories/bitrix24-installs.js';
import { SqliteConsoleStore } from './repositories/console-store.js';
import { SqliteConversations } from './repositories/conversations.js';
import { SqliteInbox } from './repositories/inbox.js';
import { SqliteInstances } from './repositories/instances.js';
import { SqliteJobQueue } from './repositories/jobs.js';
import { SqliteKnowledgeBase } from './repositories/kb-answers.js';
import { SqliteOperatorLabels } from './repositories/operator-labels.js';
import { SqliteOperators } from './repositories/operators.js';
import { SqliteOutbox } from './repositories/outbox.js';
import { SqlitePredictionLog } from './repositories/predictions.js';
import { SqliteShopCatalogue } from './repositories/shop-catalogue.js';
import { SqliteShopEvents } from './repositories/shop-events.js';
import { SqliteShopImport } from './repositories/shop-import.js';
import { SqliteShopState } from './repositories/shop-state.js';
import { SqliteTrainingRuns } from './repositories/training-runs.js';

export { type Checkpointer, startCheckpointer } from './checkpointer.js';
export { closeDatabase, openDatabase, withoutDiskSync } from './database.js';

/**
 * Builds every repository over an open database. `close` defaults to checkpointing and
 * closing the handle.
 */
export function createStore(
  db: Database.Database,
  clock: Clock,
  close: () => Promise<void> = async () => closeDatabase(db),
): Store {
  const jobs = new SqliteJobQueue(db, clock);
  const outbox = new SqliteOutbox(db, clock);
  const predictions = new SqlitePredictionLog(db, clock);
  const shopCatalogue = new SqliteShopCatalogue(db, clock);
  const shopEvents = new SqliteShopEvents(db, clock);
  const shopState = new SqliteShopState(db, clock);
  const store: Store = {
    inbox: new SqliteInbox(db, clock),
    jobs,
    outbox,
    predictions,
    conversations: new SqliteConversations(db, clock, outbox, predictions, jobs),
    bitrix24: new SqliteBitrix24Installs(db, clock),
    operators: new SqliteOperators(db, clock),
    console: new SqliteConsoleStore(db, clock),
    shopCatalogue,
    shopEvents,
    shopState,
    shopImport: new SqliteShopImport(db, shopCatalogue, shopEvents, shopState),
    labels: new SqliteOperatorLabels(db),
    trainingRuns: new SqliteTrainingRuns(db, clock),
    knowledgeBase: new SqliteKnowledgeBase(db, clock),
    instances: new SqliteInstances(db, clock),
    ping: async () => {
      db.prepare('SELECT 1').get();
    },
    close,
  };
  handles.set(store, db);
  return store;
}

const handles = new WeakMap<Store, Database.Database>();

/**
 * The database handle under an SQLite store, for the store's own tests and SQLite-only
 * tooling (a test that locks the file, reads a table). Nothing in `src` outside the store
 * uses it.
 */
export function sqliteDatabaseOf(store: Store): Database.Database {
  const db = handles.get(store);
  if (!db) throw new Error('not an SQLite store');
  return db;
}
