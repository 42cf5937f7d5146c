/**
 * The retraining runs over the admin API: `GET /api/v1/admin/training-runs` lists them with
 * their decision, `GET .../:id` shows one, `GET .../:id/report` serves its HTML report. All
 * behind the API key, like the rest of `/api/v1`.
 */
import { readFile } from 'node:fs/promises';
import type { Response } from 'express';
import { z } from 'zod';
import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import type { TrainingRun, TrainingRunStore } from './training-runs-port.js';

// The report is self-contained: inline styles and SVG, no scripts, nothing fetched.
const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  bot: z.string().max(63).optional(),
  kind: z.enum(['classifier', 'qa']).optional(),
  before: z.coerce.number().int().positive().optional(),
});

/** The JSON shape of a run; `decision` is how it ended (`running` while it has not). */
export function trainingRunJson(r: TrainingRun) {
  return {
    id: r.id,
    kind: r.kind,
    bot: r.bot,
    net: r.netName,
    decision: r.status,
    old_version: r.oldVersion,
    new_version: r.newVersion,
    reasons: r.reasons,
    forced_reason: r.forcedReason,
    error: r.error,
    started_at: new Date(r.startedAt).toISOString(),
    finished_at: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
    options: r.options,
    data: r.data,
    metrics: r.metrics,
    report_url: r.reportPath ? `/api/v1/admin/training-runs/${r.id}/report` : null,
  };
}

/** Looks a run up by the `:id` of a path; 404 for anything else. */
export async function runById(runs: TrainingRunStore, raw: unknown): Promise<TrainingRun> {
  const id = Number(raw);
  const run = Number.isSafeInteger(id) && id > 0 ? await runs.get(id) : undefined;
  if (!run) throw new AppError('not_found', 'no such training run');
  return run;
}

/** Sends a run's HTML report, or 404 if it has none (skipped, failed) or the file is gone. */
export async function sendReport(res: Response, run: TrainingRun): Promise<void> {
  if (!run.reportPath)
    throw new AppError('not_found', `training run ${run.id} has no report (${run.status})`);
  let html: Buffer;
  try {
    html = await readFile(run.reportPath);
  } catch {
    throw new AppError('not_found', `the report of training run ${run.id} is no longer on disk`);
  }
  res.setHeader('Content-Security-Policy', REPORT_CSP);
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(html);
}

/** Mounts `/api/v1/admin/training-runs`. */
export function trainingRunsRoutes(runs: TrainingRunStore): RouteMount {
  return ({ api }) => {
    api
      .route('/admin/training-runs')
      .get(async (req, res) => {
        const parsed = listQuery.safeParse(req.query);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new AppError('validation_failed', `${issue.path.join('.') || 'query'}: ${issue.message}`);
        }
        res.json({ runs: (await runs.list(parsed.data)).map(trainingRunJson) });
      })
      .all(methodNotAllowed(['GET']));
    api
      .route('/admin/training-runs/:id')
      .get(async (req, res) => {
        res.json(trainingRunJson(await runById(runs, req.params.id)));
      })
      .all(methodNotAllowed(['GET']));
    api
      .route('/admin/training-runs/:id/report')
      .get(async (req, res) => {
        await sendReport(res, await runById(runs, req.params.id));
      })
      .all(methodNotAllowed(['GET']));
  };
}
