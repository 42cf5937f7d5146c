/**
 * What the instances of a cluster share beyond the store: the event bus and the cluster locks.
 * On SQLite (one process owns the database) both stay in the process; on PostgreSQL the events
 * go through `LISTEN/NOTIFY` and the `live_events` table, and the locks are advisory locks —
 * on a small pool of their own and one listening connection, apart from the store's pool.
 */
import pg from 'pg';
import { type ClusterLock, InProcessClusterLock } from '../core/cluster-lock.js';
import { type EventBus, InProcessEventBus } from '../core/events.js';
import type { Clock } from '../core/ports.js';
import type { Logger } from '../logger.js';
import { PgClusterLock } from './postgres/advisory-lock.js';
import { PgEventBus } from './postgres/live-events.js';

/** The bus and locks of this instance, started before the workers and closed after them. */
export interface ClusterServices {
  events: EventBus;
  lock: ClusterLock;
  /** True when several instances may share the database (PostgreSQL). */
  shared: boolean;
  /** True when this instance receives the other instances' events (always, in one process). */
  connected(): boolean;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link openClusterServices}. */
export interface ClusterOptions {
  /** The PostgreSQL URL (`NEURODESK_DATABASE_URL`); none: SQLite, one process. */
  databaseUrl?: string;
  instanceId: string;
  clock: Clock;
  logger: Logger;
}

/** The in-process bus and locks (SQLite), or their PostgreSQL versions. */
export function openClusterServices(o: ClusterOptions): ClusterServices {
  if (!o.databaseUrl) {
    const events = new InProcessEventBus((err, event) =>
      o.logger.error({ err, event: event.type }, 'event listener failed'),
    );
    return {
      events,
      lock: new InProcessClusterLock(),
      shared: false,
      connected: () => true,
      start: async () => {},
      close: async () => {},
    };
  }
  const url = o.databaseUrl;
  const logger = o.logger.child({ component: 'cluster' });
  // Writes and reads of events, and the connections that hold locks (a retraining run and a
  // shop rebuild at most): a few connections besides the store's pool.
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle cluster connection lost'));
  const events = new PgEventBus({
    pool,
    connect: async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      client.on('error', () => {}); // reported by the bus, which reconnects
      await client.connect();
      return client;
    },
    instanceId: o.instanceId,
    clock: o.clock,
    logger,
  });
  return {
    events,
    lock: new PgClusterLock(() => pool.connect()),
    shared: true,
    connected: () => events.connected,
    start: () => events.start(),
    async close() {
      await events.close();
      await pool.end();
    },
  };
}
