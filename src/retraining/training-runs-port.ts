/** What retraining, the admin API and the console need from the store about training runs. */

/** How a retraining run ended (or `running`). */
export type TrainingRunStatus =
  | 'running'
  | 'promoted'
  | 'forced'
  | 'refused'
  | 'dry_run'
  | 'skipped'
  | 'failed';

/** The kinds of net a run retrains. */
export type TrainingRunKind = 'classifier' | 'qa';

/** One retraining run as stored. */
export interface TrainingRun {
  id: number;
  kind: TrainingRunKind;
  bot: string;
  netName: string;
  status: TrainingRunStatus;
  /** The version in service when the run started. */
  oldVersion: string | null;
  /** The version the run wrote (promoted or not); null for dry runs, skips and failures. */
  newVersion: string | null;
  /** Why the gate decided as it did, one sentence each. */
  reasons: string[];
  forcedReason: string | null;
  options: Record<string, unknown>;
  /** What the run trained and evaluated on (counts, files, hashes). */
  data: unknown;
  /** Old and new figures per evaluation set. */
  metrics: unknown;
  reportPath: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** How a run ended, stored by {@link TrainingRunStore.finish}. */
export interface TrainingRunOutcome {
  status: Exclude<TrainingRunStatus, 'running'>;
  newVersion?: string | null;
  reasons?: string[];
  forcedReason?: string | null;
  data?: unknown;
  metrics?: unknown;
  reportPath?: string | null;
  error?: string | null;
}

/** The retraining runs: started by the retrain command, read by the admin API and the console. */
export interface TrainingRunStore {
  /** Records a run that starts now; returns its id. */
  start(run: {
    kind: TrainingRunKind;
    bot: string;
    netName: string;
    oldVersion: string | null;
    options: Record<string, unknown>;
  }): Promise<number>;
  /** Stores how a run ended; a run ends once (a second finish changes nothing). */
  finish(id: number, o: TrainingRunOutcome): Promise<void>;
  /**
   * Marks runs still `running` as failed: called by a run that holds the lock, so any other
   * `running` row belongs to a process that died before it could finish. Returns how many.
   */
  abandonInterrupted(): Promise<number>;
  /** One run, if it exists. */
  get(id: number): Promise<TrainingRun | undefined>;
  /** Runs, newest first, optionally of one bot or kind, before an id (paging). */
  list(q: { limit: number; bot?: string; kind?: TrainingRunKind; before?: number }): Promise<TrainingRun[]>;
  /** The newest run that wrote a report. */
  latestWithReport(): Promise<TrainingRun | undefined>;
}
