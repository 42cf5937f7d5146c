import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import type {
  TrainingRun,
  TrainingRunKind,
  TrainingRunOutcome,
  TrainingRunStatus,
  TrainingRunStore,
} from '../../retraining/training-runs-port.js';

export type { TrainingRun, TrainingRunKind, TrainingRunOutcome, TrainingRunStatus };

import { type TrainingRunRow as Row, toRun } from '../training-run-rows.js';

/** The retraining runs: started by the retrain command, read by the admin API and the console. */
export class SqliteTrainingRuns implements TrainingRunStore {
  private readonly s;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO training_runs (kind, bot, net_name, old_version, options, started_at)
         VALUES (@kind, @bot, @netName, @oldVersion, @options, @now)`,
      ),
      finish: db.prepare(
        `UPDATE training_runs SET status = @status, new_version = @newVersion, reasons = @reasons,
           forced_reason = @forcedReason, data = @data, metrics = @metrics, report_path = @reportPath,
           error = @error, finished_at = @now
         WHERE id = @id AND status = 'running'`,
      ),
      abandon: db.prepare(
        `UPDATE training_runs SET status = 'failed', error = @error, finished_at = @now WHERE status = 'running'`,
      ),
      get: db.prepare<[number], Row>('SELECT * FROM training_runs WHERE id = ?'),
      list: db.prepare<
        { limit: number; bot: string | null; kind: string | null; before: number | null },
        Row
      >(
        `SELECT * FROM training_runs
         WHERE (@bot IS NULL OR bot = @bot) AND (@kind IS NULL OR kind = @kind) AND (@before IS NULL OR id < @before)
         ORDER BY id DESC LIMIT @limit`,
      ),
      latestReport: db.prepare<[], Row>(
        'SELECT * FROM training_runs WHERE report_path IS NOT NULL ORDER BY id DESC LIMIT 1',
      ),
    };
  }

  /** Records a run that starts now; returns its id. */
  async start(run: {
    kind: TrainingRunKind;
    bot: string;
    netName: string;
    oldVersion: string | null;
    options: Record<string, unknown>;
  }): Promise<number> {
    return Number(
      this.s.insert.run({ ...run, options: JSON.stringify(run.options), now: this.clock.now() })
        .lastInsertRowid,
    );
  }

  /** Stores how a run ended; a run ends once. */
  async finish(id: number, o: TrainingRunOutcome): Promise<void> {
    const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
    this.s.finish.run({
      id,
      status: o.status,
      newVersion: o.newVersion ?? null,
      reasons: JSON.stringify(o.reasons ?? []),
      forcedReason: o.forcedReason ?? null,
      data: json(o.data),
      metrics: json(o.metrics),
      reportPath: o.reportPath ?? null,
      error: o.error ?? null,
      now: this.clock.now(),
    });
  }

  /**
   * Marks runs still `running` as failed: called by a run that holds the lock, so any other
   * `running` row belongs to a process that died before it could finish.
   */
  async abandonInterrupted(): Promise<number> {
    return this.s.abandon.run({
      error: 'interrupted: the process ended before the run finished',
      now: this.clock.now(),
    }).changes;
  }

  /** One run, if it exists. */
  async get(id: number): Promise<TrainingRun | undefined> {
    const row = this.s.get.get(id);
    return row && toRun(row);
  }

  /** Runs, newest first, optionally of one bot or kind, before an id (paging). */
  async list(q: {
    limit: number;
    bot?: string;
    kind?: TrainingRunKind;
    before?: number;
  }): Promise<TrainingRun[]> {
    return this.s.list
      .all({ limit: q.limit, bot: q.bot ?? null, kind: q.kind ?? null, before: q.before ?? null })
      .map(toRun);
  }

  /** The newest run that wrote a report. */
  async latestWithReport(): Promise<TrainingRun | undefined> {
    const row = this.s.latestReport.get();
    return row && toRun(row);
  }
}
