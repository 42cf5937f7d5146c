/**
 * Work that must run on one instance at a time across a cluster (a retraining run, a shop
 * model rebuild). With SQLite one process owns the database, so a lock within the process is
 * the whole story; several instances on PostgreSQL use its advisory locks
 * (`PgClusterLock`, src/store/postgres/advisory-lock.ts), released by the server when the
 * holder's connection or process dies.
 */

/** What `tryRun` did: ran `fn` (and its result), or found the lock held elsewhere. */
export type LockOutcome<T> = { ran: true; value: T } | { ran: false };

/** Named cluster-wide locks. */
export interface ClusterLock {
  /** Runs `fn` holding the lock `name` if nobody holds it; otherwise does nothing. */
  tryRun<T>(name: string, fn: () => Promise<T>): Promise<LockOutcome<T>>;
}

/** Locks within one process: what one SQLite gateway needs. */
export class InProcessClusterLock implements ClusterLock {
  private readonly held = new Set<string>();

  /** Runs `fn` unless a run under the same name is in progress in this process. */
  async tryRun<T>(name: string, fn: () => Promise<T>): Promise<LockOutcome<T>> {
    if (this.held.has(name)) return { ran: false };
    this.held.add(name);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.held.delete(name);
    }
  }
}
