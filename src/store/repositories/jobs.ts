import type Database from 'better-sqlite3';
import type { Clock, Job, JobQueue } from '../../core/ports.js';
import { withoutDiskSync } from '../database.js';

interface JobRow {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
}

/**
 * The processing queue in SQLite: due jobs are claimed, then completed or failed. A job is
 * made durable with its message (the inbox); these state changes are the worker's
 * bookkeeping and commit without a disk sync of their own (see `withoutDiskSync`): a job
 * whose change was lost runs again.
 */
export class SqliteJobQueue implements JobQueue {
  private readonly claimStmt;
  private readonly completeStmt;
  private readonly failStmt;
  private readonly requeueStmt;
  private readonly claimOneStmt;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.claimStmt = db.prepare<{ now: number; limit: number }, JobRow>(
      // A conversation's messages are processed one at a time, in order: a job waits while
      // an older one of its conversation is unfinished (running, or pending a retry).
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = @now
       WHERE id IN (SELECT j.id FROM jobs j WHERE j.status = 'pending' AND j.run_after <= @now
                      AND (j.conversation_id IS NULL OR NOT EXISTS (
                        SELECT 1 FROM jobs e WHERE e.conversation_id = j.conversation_id AND e.id < j.id
                          AND e.status IN ('pending', 'running')))
                    ORDER BY j.id LIMIT @limit)
       RETURNING id, kind, payload, attempts`,
    );
    this.claimOneStmt = db.prepare<{ now: number; id: number }, JobRow>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = @now
       WHERE id = @id AND status = 'pending' RETURNING id, kind, payload, attempts`,
    );
    this.completeStmt = db.prepare(`UPDATE jobs SET status = 'done', updated_at = ? WHERE id = ?`);
    this.failStmt = db.prepare(
      `UPDATE jobs SET status = CASE WHEN @retryAt IS NULL THEN 'failed' ELSE 'pending' END,
         run_after = COALESCE(@retryAt, run_after), last_error = @error, updated_at = @now WHERE id = @id`,
    );
    this.requeueStmt = db.prepare(
      `UPDATE jobs SET status = 'pending', updated_at = ? WHERE status = 'running'`,
    );
  }

  /** Marks up to `limit` due jobs as running and returns them, oldest first. */
  async claimDue(limit: number): Promise<Job[]> {
    return withoutDiskSync(this.db, () => this.claimStmt.all({ now: this.clock.now(), limit }))
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, kind: r.kind, payload: JSON.parse(r.payload), attempts: r.attempts }));
  }

  /** Claims one pending job by id, whatever its due time; undefined when it is not pending. */
  async claim(id: number): Promise<Job | undefined> {
    const r = withoutDiskSync(this.db, () => this.claimOneStmt.get({ now: this.clock.now(), id }));
    return r && { id: r.id, kind: r.kind, payload: JSON.parse(r.payload), attempts: r.attempts };
  }

  /** Marks a job done. */
  async complete(id: number): Promise<void> {
    this.completeNow(id);
  }

  /** Marks a job done inside the caller's transaction (or on its own, without a disk sync). */
  completeNow(id: number): void {
    withoutDiskSync(this.db, () => this.completeStmt.run(this.clock.now(), id));
  }

  /** Records a failure; with `retryAt` the job runs again then, without it the job is dead. */
  async fail(id: number, error: string, retryAt: number | null): Promise<void> {
    withoutDiskSync(this.db, () =>
      this.failStmt.run({ id, error: error.slice(0, 2000), retryAt, now: this.clock.now() }),
    );
  }

  /** At start: jobs left running by a crash go back to pending. Returns how many. */
  async requeueRunning(): Promise<number> {
    return this.requeueStmt.run(this.clock.now()).changes;
  }
}
