import type { Clock } from '../../../core/ports.js';
import type {
  TrainingRun,
  TrainingRunKind,
  TrainingRunOutcome,
  TrainingRunStore,
} from '../../../retraining/training-runs-port.js';
import { type TrainingRunRow as Row, toRun } from '../../training-run-rows.js';
import type { PgPool } from '../db.js';

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** The retraining runs in PostgreSQL (`training_runs`), as the SQLite store keeps them. */
export class PgTrainingRuns implements TrainingRunStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Records a run that starts now; returns its id. */
  async start(run: {
    kind: TrainingRunKind;
    bot: string;
    netName: string;
    oldVersion: string | null;
    options: Record<string, unknown>;
  }): Promise<number> {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO training_runs (kind, bot, net_name, old_version, options, started_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [run.kind, run.bot, run.netName, run.oldVersion, JSON.stringify(run.options), this.clock.now()],
    );
    return Number(rows[0]!.id);
  }

  /** Stores how a run ended; a run ends once. */
  async finish(id: number, o: TrainingRunOutcome): Promise<void> {
    await this.pool.query(
      `UPDATE training_runs SET status = $2, new_version = $3, reasons = $4, forced_reason = $5, data = $6,
         metrics = $7, report_path = $8, error = $9, finished_at = $10
       WHERE id = $1 AND status = 'running'`,
      [
        id,
        o.status,
        o.newVersion ?? null,
        JSON.stringify(o.reasons ?? []),
        o.forcedReason ?? null,
        json(o.data),
        json(o.metrics),
        o.reportPath ?? null,
        o.error ?? null,
        this.clock.now(),
      ],
    );
  }

  /**
   * Marks runs still `running` as failed: called by a run that holds the lock, so any other
   * `running` row belongs to a process that died before it could finish.
   */
  async abandonInterrupted(): Promise<number> {
    const r = await this.pool.query(
      `UPDATE training_runs SET status = 'failed', error = $1, finished_at = $2 WHERE status = 'running'`,
      ['interrupted: the process ended before the run finished', this.clock.now()],
    );
    return r.rowCount ?? 0;
  }

  /** One run, if it exists. */
  async get(id: number): Promise<TrainingRun | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM training_runs WHERE id = $1', [id]);
    return rows[0] && toRun(rows[0]);
  }

  /** Runs, newest first, optionally of one bot or kind, before an id (paging). */
  async list(q: {
    limit: number;
    bot?: string;
    kind?: TrainingRunKind;
    before?: number;
  }): Promise<TrainingRun[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM training_runs
       WHERE ($2::text IS NULL OR bot = $2) AND ($3::text IS NULL OR kind = $3) AND ($4::bigint IS NULL OR id < $4)
       ORDER BY id DESC LIMIT $1`,
      [q.limit, q.bot ?? null, q.kind ?? null, q.before ?? null],
    );
    return rows.map(toRun);
  }

  /** The newest run that wrote a report. */
  async latestWithReport(): Promise<TrainingRun | undefined> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM training_runs WHERE report_path IS NOT NULL ORDER BY id DESC LIMIT 1',
    );
    return rows[0] && toRun(rows[0]);
  }
}
