import { join } from 'node:path';
import { locateNet } from '../../src/nets/net-folder.js';
import type { SqliteTrainingRuns, TrainingRunKind } from '../../src/store/repositories/training-runs.js';
import type { CliIo } from '../commands.js';

/** A run's record opened: its id, the version in service when it started, and how to fail it. */
export interface StartedRun {
  runId: number;
  root: string;
  oldVersion: string | null;
  /** Records the run as failed with the error's message, then rethrows it. */
  fail(err: unknown): never;
}

/**
 * Opens the record of a retraining run, for either kind of net. Runs a crash left open are
 * marked failed first. The run is recorded even when the version in service cannot be
 * located: that failure is news too, and the caller's load reports it as the run's error.
 */
export function startRun(
  ctx: { runs: SqliteTrainingRuns; netsDir: string; io: CliIo },
  run: { kind: TrainingRunKind; bot: string; netName: string; options: Record<string, unknown> },
): StartedRun {
  const root = join(ctx.netsDir, run.netName);
  let oldVersion: string | null = null;
  try {
    oldVersion = locateNet(root).version;
  } catch {
    // Recorded as the run's error when the caller loads the net.
  }
  const abandoned = ctx.runs.abandonInterrupted();
  if (abandoned > 0) ctx.io.err.write(`marked ${abandoned} interrupted run(s) as failed\n`);
  const runId = ctx.runs.start({ ...run, oldVersion });
  return {
    runId,
    root,
    oldVersion,
    fail(err: unknown): never {
      ctx.runs.finish(runId, { status: 'failed', error: (err as Error).message });
      throw err;
    },
  };
}
