/**
 * Retraining runs: one row per `npm run retrain` (or scheduled run), with what it trained on,
 * how the new version compared with the one in service, the decision and where its report is.
 * `GET /api/v1/admin/training-runs` lists them; the console links the latest report.
 */
export const sql = `
CREATE TABLE training_runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('classifier', 'qa')),
  bot TEXT NOT NULL,
  net_name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'promoted', 'forced', 'refused', 'dry_run', 'skipped', 'failed')),
  old_version TEXT,
  new_version TEXT,
  reasons TEXT NOT NULL DEFAULT '[]',
  forced_reason TEXT,
  options TEXT NOT NULL DEFAULT '{}',
  data TEXT,
  metrics TEXT,
  report_path TEXT,
  error TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX training_runs_started ON training_runs (started_at);
`;
