/**
 * Cluster-wide locks on PostgreSQL session advisory locks: `tryRun` takes a dedicated
 * connection, `pg_try_advisory_lock(key)` on it, runs the work, and unlocks in `finally`.
 * Session locks belong to the connection, so a holder that dies (process killed, machine
 * gone) releases its lock when the server notices the connection closed — no lease to tune,
 * no stale lock file to take over. https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS
 */
import { createHash } from 'node:crypto';
import type { ClusterLock, LockOutcome } from '../../core/cluster-lock.js';
import type { PgStatements } from './live-events.js';

/** A connection of its own for the time a lock is held (`pg.PoolClient`). */
export interface PgLockConnection extends PgStatements {
  release(destroy?: boolean | Error): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

/** The 64-bit advisory key of a lock name (one namespace for every neurodesk lock). */
export function advisoryKey(name: string): bigint {
  return createHash('sha256').update(`neurodesk:${name}`).digest().readBigInt64BE(0);
}

/** {@link ClusterLock} on `pg_try_advisory_lock`. */
export class PgClusterLock implements ClusterLock {
  /** `connect` hands out a connection held for the whole run (e.g. `() => pool.connect()`). */
  constructor(private readonly connect: () => Promise<PgLockConnection>) {}

  /** Runs `fn` if no instance holds `name`; the lock goes with the connection if this process dies. */
  async tryRun<T>(name: string, fn: () => Promise<T>): Promise<LockOutcome<T>> {
    const key = advisoryKey(name).toString();
    const c = await this.connect();
    // A connection whose query failed is destroyed, never returned to the pool: the server
    // released its locks with it.
    let broken = false;
    // The connection may die while the work runs (the server restarts): its lock went with it;
    // without a listener, a checked-out client's error would crash the process.
    const onError = () => {
      broken = true;
    };
    c.on('error', onError);
    try {
      let got: boolean;
      try {
        const r = await c.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
        got = r.rows[0]?.ok === true;
      } catch (err) {
        broken = true;
        throw err;
      }
      if (!got) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await c.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {
          broken = true;
        });
      }
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }
}
