import type { ClusterLock } from '../core/cluster-lock.js';
import type { Logger } from '../logger.js';
import { type CronSchedule, nextCronTime } from './cron.js';
import type { RetrainChild } from './spawn-retrain.js';

/** Which kind of net a scheduled run retrains. */
export type RetrainKind = 'classifier' | 'qa';

/** One scheduled run: a bot's classifier or its Q/A net. */
export interface RetrainJob {
  bot: string;
  kind: RetrainKind;
}

/** The runs of a schedule tick: each bot's nets its bot file names under `retrain.nets` (default both), bot by bot. */
export function retrainJobs(
  bots: ReadonlyArray<{ name: string; config: { retrain?: { nets: RetrainKind[] } } }>,
): RetrainJob[] {
  return bots.flatMap((b) =>
    (b.config.retrain?.nets ?? ['classifier', 'qa']).map((kind) => ({ bot: b.name, kind })),
  );
}

/** What the schedule needs: when, which runs (read at each tick), and how to start one. */
export interface RetrainSchedulerDeps {
  schedule: CronSchedule;
  jobs: () => RetrainJob[];
  start: (job: RetrainJob) => RetrainChild;
  logger: Logger;
  /** Several instances of a cluster: a tick runs on the one that takes this lock, the others skip it. */
  lock?: ClusterLock;
  now?: () => Date;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** The cluster lock a schedule tick holds while its runs go. */
export const RETRAIN_LOCK = 'retrain';

// Timers re-check at least hourly: a long setTimeout drifts with suspends and clock changes.
const MAX_WAIT_MS = 3_600_000;

/**
 * The in-process retraining schedule: at each time the cron expression names, retrains every
 * bot's classifier and Q/A net (as its bot file says), one run after the other, each in a
 * child process with its own report. A tick that comes while
 * the previous runs are still going is skipped; the runs' own lock also keeps a manual run and
 * a scheduled one from overlapping.
 */
export class RetrainScheduler {
  private timer: unknown;
  private current: RetrainChild | null = null;
  private busy = false;
  private stopped = false;
  private readonly now: () => Date;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly d: RetrainSchedulerDeps) {
    this.now = d.now ?? (() => new Date());
    this.setTimer =
      d.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return t;
      });
    this.clearTimer = d.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  /** Arms the timer for the next scheduled time. */
  start(): void {
    const next = nextCronTime(this.d.schedule, this.now());
    if (!next) {
      this.d.logger.warn({ schedule: this.d.schedule.source }, 'retrain schedule never fires');
      return;
    }
    this.d.logger.info(
      { schedule: this.d.schedule.source, next: next.toISOString() },
      'retraining scheduled',
    );
    this.arm(next);
  }

  private arm(next: Date): void {
    if (this.stopped) return;
    const wait = Math.max(0, Math.min(next.getTime() - this.now().getTime(), MAX_WAIT_MS));
    this.timer = this.setTimer(() => {
      if (this.now().getTime() < next.getTime()) return this.arm(next);
      void this.tick();
      const after = nextCronTime(this.d.schedule, next);
      if (after) this.arm(after);
    }, wait);
  }

  /**
   * Runs every bot once now, unless runs are still going here or on another instance of the
   * cluster; resolves when they are done.
   */
  async tick(): Promise<void> {
    if (this.busy) {
      this.d.logger.warn('scheduled retraining skipped: the previous scheduled runs are still going');
      return;
    }
    this.busy = true;
    try {
      if (!this.d.lock) return await this.runAll();
      const outcome = await this.d.lock.tryRun(RETRAIN_LOCK, () => this.runAll());
      if (!outcome.ran) this.d.logger.info('scheduled retraining runs on another instance of the cluster');
    } finally {
      this.busy = false;
    }
  }

  private async runAll(): Promise<void> {
    for (const job of this.d.jobs()) {
      if (this.stopped) return;
      const started = this.now().getTime();
      this.current = this.d.start(job);
      const code = await this.current.done;
      this.current = null;
      const outcome =
        ['done', 'failed', 'usage error', 'refused by the gate', 'another run held the lock'][code] ??
        `exit ${code}`;
      this.d.logger[code === 0 || code === 3 ? 'info' : 'warn'](
        { bot: job.bot, kind: job.kind, exitCode: code, seconds: (this.now().getTime() - started) / 1000 },
        `scheduled retraining: ${outcome}`,
      );
    }
  }

  /** Cancels the timer and stops a run in progress (the next run records it as interrupted). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.current?.stop();
  }
}
