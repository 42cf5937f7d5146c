/**
 * The PostgreSQL store's pieces. Only `src/store` and the store's own tests use this module:
 * everything else sees the ports through `Store`.
 */
import type { Clock } from '../../core/ports.js';
import type { Store } from '../index.js';
import { PgBitrix24Installs } from './bitrix24-installs.js';
import { PgConversations } from './conversations.js';
import { closePostgres, type OpenPostgresOptions, openPostgres, type PgPool } from './db.js';
import { PgInbox } from './inbox.js';
import { PgInstances } from './instances.js';
import { PgJobQueue } from './jobs.js';
import { type LeaseOptions, resolveLease } from './leases.js';
import { PgOperators } from './operators.js';
import { PgOutbox } from './outbox.js';
import { PgPredictionLog } from './predictions.js';
import { PgConsoleStore } from './repositories/console-store.js';
import { foldKbUsage, PgKnowledgeBase } from './repositories/kb-answers.js';
import { PgOperatorLabels } from './repositories/operator-labels.js';
import { PgShopCatalogue } from './repositories/shop-catalogue.js';
import { PgShopEvents } from './repositories/shop-events.js';
import { PgShopImport } from './repositories/shop-import.js';
import { PgShopState } from './repositories/shop-state.js';
import { PgTrainingRuns } from './repositories/training-runs.js';

export {
  closePostgres,
  describePostgresUrl,
  isPostgresBusyError,
  type OpenPostgresOptions,
  openPostgres,
  type PgClient,
  type PgPool,
  type PgQueryable,
  PostgresStartError,
  parseBigint,
  query,
  queryOne,
  withTransaction,
} from './db.js';
export { DEFAULT_LEASE_MS, type LeaseOptions } from './leases.js';
export { migratePostgres, postgresSchemaVersion } from './migrate.js';
export { PG_MIGRATIONS } from './migrations/index.js';

/** Every port of the store on PostgreSQL, with `ping` and `close`. */
export type PostgresStore = Store;

/** How the PostgreSQL repositories behave beyond the pool and the clock. */
export interface PostgresStoreOptions extends LeaseOptions {
  /** How often the KB answers' appended uses are folded into their counts (default 60 s; 0: never). */
  foldKbUsageEveryMs?: number;
}

/**
 * Builds the repositories over an open pool. Jobs and outbox share this instance's lease
 * settings (`instanceId`, `leaseMs`). `close` defaults to ending the pool.
 */
export function createPostgresStore(
  pool: PgPool,
  clock: Clock,
  options: PostgresStoreOptions = {},
  close: () => Promise<void> = () => closePostgres(pool),
): PostgresStore {
  const lease = resolveLease(options);
  let closed: Promise<void> | undefined;
  // Counting a KB answer's use appends a row (no waiting on the answer's row inside a job's
  // transaction); now and then the rows are summed into the answers' counts.
  const foldEvery = options.foldKbUsageEveryMs ?? 60_000;
  const foldTimer =
    foldEvery > 0 ? setInterval(() => void foldKbUsage(pool).catch(() => {}), foldEvery).unref() : undefined;
  return {
    inbox: new PgInbox(pool, clock),
    jobs: new PgJobQueue(pool, clock, lease),
    outbox: new PgOutbox(pool, clock, lease),
    predictions: new PgPredictionLog(pool, clock),
    conversations: new PgConversations(pool, clock),
    bitrix24: new PgBitrix24Installs(pool, clock),
    operators: new PgOperators(pool, clock),
    console: new PgConsoleStore(pool, clock),
    shopCatalogue: new PgShopCatalogue(pool, clock),
    shopEvents: new PgShopEvents(pool, clock),
    shopState: new PgShopState(pool, clock),
    shopImport: new PgShopImport(pool, clock),
    labels: new PgOperatorLabels(pool),
    trainingRuns: new PgTrainingRuns(pool, clock),
    knowledgeBase: new PgKnowledgeBase(pool, clock),
    instances: new PgInstances(pool, clock),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => {
      clearInterval(foldTimer);
      closed ??= close();
      return closed;
    },
  };
}

/**
 * Opens the PostgreSQL store at `url` (`NEURODESK_DATABASE_URL`): connects, migrates, and
 * builds the repositories. Fails with a `PostgresStartError` when the server is unreachable
 * or the schema is newer than this build.
 */
export async function openPostgresStore(
  url: string,
  options: OpenPostgresOptions & PostgresStoreOptions & { clock: Clock },
): Promise<PostgresStore> {
  const pool = await openPostgres(url, options);
  return createPostgresStore(pool, options.clock, options);
}
