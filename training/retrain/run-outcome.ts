import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NetLocation, publishNet, setCurrentVersion } from '../../src/nets/net-folder.js';
import type { TrainingRunStore } from '../../src/retraining/training-runs-port.js';
import type { CliIo } from '../commands.js';
import type { GateVerdict } from './gate.js';
import { writeReportFiles } from './report-files.js';
import type { TrainedDecision } from './run-result.js';
import { runtimeRefusal, withRuntimeRefusal } from './runtime-check.js';
import { uniqueVersion } from './sources.js';

/** What the gate and the runtime check made of a trained version, and where it was written. */
export interface CandidateOutcome {
  decision: TrainedDecision;
  verdict: GateVerdict;
  /** The reasons to show: what passed when it passed, else what failed. */
  reasons: string[];
  forcedReason: string | null;
  /** The written version (not yet served); null on a dry run. */
  location: NetLocation | null;
}

/**
 * Decides a trained version's fate and, unless this is a dry run, writes it beside the version
 * in service without serving it. A version the gate would promote (or --force would) is first
 * loaded as the gateway's runtime will load it; if the runtime refuses it, so does the run,
 * whatever --force says. `stamp` records the decision in the new version's meta before it is
 * written (it may be called twice when the runtime check changes the decision).
 */
export function decideCandidate(c: {
  verdict: GateVerdict;
  dryRun: boolean;
  force?: string;
  root: string;
  netName: string;
  now: Date;
  cacheBytes: number;
  files: () => Map<string, Uint8Array>;
  stamp: (decision: TrainedDecision) => void;
}): CandidateOutcome {
  let verdict = c.verdict;
  let runtimeRefused = false;
  const decide = (): TrainedDecision =>
    c.dryRun ? 'dry_run' : verdict.pass ? 'promoted' : c.force && !runtimeRefused ? 'forced' : 'refused';
  let location: NetLocation | null = null;
  if (!c.dryRun) {
    const version = uniqueVersion(c.root, c.now);
    c.stamp(decide());
    if (decide() !== 'refused') {
      // The bytes the gateway will load, loaded the way it will load them, before CURRENT moves.
      const refusal = runtimeRefusal(c.files(), { name: c.netName, version }, c.cacheBytes);
      if (refusal) {
        runtimeRefused = true;
        verdict = withRuntimeRefusal(verdict, version, refusal);
        c.stamp(decide());
      }
    }
    // Written but not yet served: the report goes in first, so whoever sees the version sees why.
    location = publishNet(c.root, version, c.files(), false);
  }
  const decision = decide();
  return {
    decision,
    verdict,
    reasons: verdict.pass ? verdict.passes : verdict.failures,
    forcedReason: decision === 'forced' ? c.force! : null,
    location,
  };
}

/**
 * Ends a trained run: the report (HTML and text) next to the new version (or, for a dry run,
 * in the reports folder), CURRENT moved when the version is promoted or forced, the run's
 * record finished, the summary printed. Returns the report's path.
 */
export async function finishTrainedRun(
  ctx: { runs: TrainingRunStore; io: CliIo; reportsDir: string },
  r: {
    runId: number;
    root: string;
    outcome: CandidateOutcome;
    data: Record<string, unknown>;
    metrics: Record<string, unknown>;
    /** The report page and the terminal summary, given where the page will be. */
    render: (reportPath: string) => { html: string; summary: string };
  },
): Promise<string> {
  const { decision, reasons, forcedReason, location } = r.outcome;
  const reportDir = location?.dir ?? ctx.reportsDir;
  const reportName = location ? 'report' : `run-${r.runId}`;
  mkdirSync(reportDir, { recursive: true });
  const reportPath = join(reportDir, `${reportName}.html`);
  const { html, summary } = r.render(reportPath);
  writeReportFiles(reportDir, reportName, html, summary);
  if (location && (decision === 'promoted' || decision === 'forced'))
    setCurrentVersion(r.root, location.version);
  if (forcedReason) ctx.io.err.write(`gate overridden by --force: ${forcedReason}\n`);
  await ctx.runs.finish(r.runId, {
    status: decision,
    newVersion: location?.version ?? null,
    reasons: forcedReason ? [...reasons, `forced: ${forcedReason}`] : reasons,
    forcedReason,
    data: r.data,
    metrics: r.metrics,
    reportPath,
  });
  ctx.io.out.write(summary);
  return reportPath;
}
