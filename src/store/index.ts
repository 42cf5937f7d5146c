import type Database from 'better-sqlite3';
import type { Clock } from '../core/ports.js';
import { SqliteInbox } from './repositories/inbox.js';
import { SqliteJobQueue } from './repositories/jobs.js';
import { SqliteOutbox } from './repositories/outbox.js';
import { SqlitePredictionLog } from './repositories/predictions.js';
import { SqliteShopCatalogue } from './repositories/shop-catalogue.js';
import { SqliteShopEvents } from './repositories/shop-events.js';
import { SqliteShopState } from './repositories/shop-state.js';

export { closeDatabase, isBusyError, openDatabase } from './database.js';

/** The repositories over one database handle. */
export interface Store {
  db: Database.Database;
  inbox: SqliteInbox;
  jobs: SqliteJobQueue;
  outbox: SqliteOutbox;
  predictions: SqlitePredictionLog;
  shopCatalogue: SqliteShopCatalogue;
  shopEvents: SqliteShopEvents;
  shopState: SqliteShopState;
}

/** Builds every repository over an open database. */
export function createStore(db: Database.Database, clock: Clock): Store {
  return {
    db,
    inbox: new SqliteInbox(db, clock),
    jobs: new SqliteJobQueue(db, clock),
    outbox: new SqliteOutbox(db, clock),
    predictions: new SqlitePredictionLog(db, clock),
    shopCatalogue: new SqliteShopCatalogue(db, clock),
    shopEvents: new SqliteShopEvents(db, clock),
    shopState: new SqliteShopState(db, clock),
  };
}
