import type { Clock, Job, JobQueue } from '../../core/ports.js';
import { execute, type PgPool, type PgQueryable, query } from './db.js';
import { type LeaseOptions, resolveLease } from './leases.js';

interface JobRow {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
}

const toJob = (r: JobRow): Job => ({
  id: r.id,
  kind: r.kind,
  payload: JSON.parse(r.payload),
  attempts: r.attempts,
});

/** Marks a job done (also inside another repository's transaction, e.g. a recorded outcome). */
export async function completeJob(db: PgQueryable, id: number, now: number): Promise<void> {
  await execute(
    db,
    `UPDATE jobs SET status = 'done', updated_at = $1, claimed_by = NULL, lease_until = NULL WHERE id = $2`,
    [now, id],
  );
}

/**
 * The processing queue in PostgreSQL, shared by every instance on the database. A claim takes
 * due pending jobs, and running jobs whose lease has passed (their instance died), with
 * `FOR UPDATE SKIP LOCKED`: two instances claiming at once never get the same job, and
 * neither waits for the other. A claim marks the job `running`, counts the attempt and writes
 * `claimed_by`/`lease_until`. As on SQLite, a conversation's jobs run one at a time, in
 * order: a job waits while an older one of its conversation is pending or running.
 */
export class PgJobQueue implements JobQueue {
  readonly instanceId: string;
  readonly leaseMs: number;

  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
    lease: LeaseOptions = {},
  ) {
    ({ instanceId: this.instanceId, leaseMs: this.leaseMs } = resolveLease(lease));
  }

  /** Claims up to `limit` due jobs (or jobs whose lease expired), oldest first. */
  async claimDue(limit: number): Promise<Job[]> {
    const now = this.clock.now();
    const rows = await query<JobRow>(
      this.pool,
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = $1,
         claimed_by = $3, lease_until = $4
       WHERE id IN (
         SELECT j.id FROM jobs j
         WHERE ((j.status = 'pending' AND j.run_after <= $1) OR (j.status = 'running' AND j.lease_until <= $1))
           AND (j.conversation_id IS NULL OR NOT EXISTS (
             SELECT 1 FROM jobs e WHERE e.conversation_id = j.conversation_id AND e.id < j.id
               AND e.status IN ('pending', 'running')))
         ORDER BY j.id LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, payload, attempts`,
      [now, Math.max(0, Math.floor(limit)), this.instanceId, now + this.leaseMs],
    );
    return rows.sort((a, b) => a.id - b.id).map(toJob);
  }

  /** Claims one pending job by id, whatever its due time; undefined when it is not pending. */
  async claim(id: number): Promise<Job | undefined> {
    const now = this.clock.now();
    const rows = await query<JobRow>(
      this.pool,
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = $1, claimed_by = $3, lease_until = $4
       WHERE id = $2 AND status = 'pending' RETURNING id, kind, payload, attempts`,
      [now, id, this.instanceId, now + this.leaseMs],
    );
    return rows[0] && toJob(rows[0]);
  }

  /** Marks a job done. */
  async complete(id: number): Promise<void> {
    await completeJob(this.pool, id, this.clock.now());
  }

  /**
   * Records a failure; with `retryAt` the job runs again then, without it the job is dead.
   * Only while this instance holds the job: a late failure from an instance whose lease
   * passed must not put back a job another instance has taken (or finished).
   */
  async fail(id: number, error: string, retryAt: number | null): Promise<void> {
    await execute(
      this.pool,
      `UPDATE jobs SET status = CASE WHEN $3::BIGINT IS NULL THEN 'failed' ELSE 'pending' END,
         run_after = COALESCE($3::BIGINT, run_after), last_error = $2, updated_at = $4,
         claimed_by = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'running' AND claimed_by = $5`,
      [id, error.slice(0, 2000), retryAt, this.clock.now(), this.instanceId],
    );
  }

  /**
   * At start: jobs whose lease passed go back to pending (their instance is gone). Jobs other
   * instances still hold are left alone. Returns how many.
   */
  async requeueRunning(): Promise<number> {
    const now = this.clock.now();
    return execute(
      this.pool,
      `UPDATE jobs SET status = 'pending', updated_at = $1, claimed_by = NULL, lease_until = NULL
       WHERE status = 'running' AND lease_until <= $1`,
      [now],
    );
  }
}
