import { join } from 'node:path';
import { locateNet } from '../../src/nets/net-folder.js';
import type { TrainingRunKind, TrainingRunStore } from '../../src/retraining/training-runs-port.js';
import type { CliIo } from '../commands.js';

/** A run's record opened: its id, the version in service when it started, and how to fail it. */
export interface StartedRun {
  runId: number;
  root: string;
  oldVersion: string | null;
  /** Records the run as failed with the error's message, then rethrows it. */
  fail(err: unknown): Promise<never>;
}

/**
 * Opens the record of a retraining run, for either kind of net. Runs a crash left open are
 * marked failed first. The run is recorded even when the version in service cannot be
 * located: that failure is news too, and the caller's load reports it as the run's error.
 */
export async function startRun(
  ctx: { runs: TrainingRunStore; netsDir: string; io: CliIo },
  run: { kind: TrainingRunKind; bot: string; netName: string; options: Record<string, unknown> },
): Promise<StartedRun> {
  const root = join(ctx.netsDir, run.netName);
  let oldVersion: string | null = null;
  try {
    oldVersion = locateNet(root).version;
  } catch {
    // Recorded as the run's error when the caller loads the net.
  }
  const abandoned = await ctx.runs.abandonInterrupted();
  if (abandoned > 0) ctx.io.err.write(`marked ${abandoned} interrupted run(s) as failed\n`);
  const runId = await ctx.runs.start({ ...run, oldVersion });
  return {
    runId,
    root,
    oldVersion,
    async fail(err: unknown): Promise<never> {
      await ctx.runs.finish(runId, { status: 'failed', error: (err as Error).message });
      throw err;
    },
  };
}
