/** The `training_runs` row as both engines read it, and its mapping to a {@link TrainingRun}. */
import type { TrainingRun, TrainingRunKind, TrainingRunStatus } from '../retraining/training-runs-port.js';

export interface TrainingRunRow {
  id: number;
  kind: TrainingRunKind;
  bot: string;
  net_name: string;
  status: TrainingRunStatus;
  old_version: string | null;
  new_version: string | null;
  reasons: string;
  forced_reason: string | null;
  options: string;
  data: string | null;
  metrics: string | null;
  report_path: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

export const parseJson = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));

export function toRun(r: TrainingRunRow): TrainingRun {
  return {
    id: r.id,
    kind: r.kind,
    bot: r.bot,
    netName: r.net_name,
    status: r.status,
    oldVersion: r.old_version,
    newVersion: r.new_version,
    reasons: JSON.parse(r.reasons) as string[],
    forcedReason: r.forced_reason,
    options: JSON.parse(r.options) as Record<string, unknown>,
    data: parseJson(r.data),
    metrics: parseJson(r.metrics),
    reportPath: r.report_path,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
