import type Database from 'better-sqlite3';
import type { Clock } from '../core/ports.js';
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
import { SqliteShopState } from './repositories/shop-state.js';
import { SqliteTrainingRuns } from './repositories/training-runs.js';

export { type Checkpointer, startCheckpointer } from './checkpointer.js';
export { closeDatabase, isBusyError, openDatabase } from './database.js';
export type { Bitrix24Install } from './repositories/bitrix24-installs.js';

/** The repositories over one database handle. */
export interface Store {
  db: Database.Database;
  inbox: SqliteInbox;
  jobs: SqliteJobQueue;
  outbox: SqliteOutbox;
  predictions: SqlitePredictionLog;
  conversations: SqliteConversations;
  bitrix24: SqliteBitrix24Installs;
  operators: SqliteOperators;
  console: SqliteConsoleStore;
  shopCatalogue: SqliteShopCatalogue;
  shopEvents: SqliteShopEvents;
  shopState: SqliteShopState;
  labels: SqliteOperatorLabels;
  trainingRuns: SqliteTrainingRuns;
  knowledgeBase: SqliteKnowledgeBase;
  instances: SqliteInstances;
}

/** Builds every repository over an open database. */
export function createStore(db: Database.Database, clock: Clock): Store {
  const jobs = new SqliteJobQueue(db, clock);
  const outbox = new SqliteOutbox(db, clock);
  const predictions = new SqlitePredictionLog(db, clock);
  return {
    db,
    inbox: new SqliteInbox(db, clock),
    jobs,
    outbox,
    predictions,
    conversations: new SqliteConversations(db, clock, outbox, predictions, jobs),
    bitrix24: new SqliteBitrix24Installs(db, clock),
    operators: new SqliteOperators(db, clock),
    console: new SqliteConsoleStore(db, clock),
    shopCatalogue: new SqliteShopCatalogue(db, clock),
    shopEvents: new SqliteShopEvents(db, clock),
    shopState: new SqliteShopState(db, clock),
    labels: new SqliteOperatorLabels(db),
    trainingRuns: new SqliteTrainingRuns(db, clock),
    knowledgeBase: new SqliteKnowledgeBase(db, clock),
    instances: new SqliteInstances(db, clock),
  };
}
