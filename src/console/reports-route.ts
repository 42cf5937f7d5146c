import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import { runById, sendReport } from '../retraining/training-runs-routes.js';
import type { SqliteOperators } from '../store/repositories/operators.js';
import type { SqliteTrainingRuns } from '../store/repositories/training-runs.js';
import { operatorOf } from './auth-routes.js';

/** The link the stats page shows for the latest training report, or null before the first one. */
export function latestReportLink(runs: SqliteTrainingRuns): string | null {
  const run = runs.latestWithReport();
  return run ? `/console/reports/${run.id}` : null;
}

/**
 * `GET /console/reports/:id`: a training run's report for signed-in operators, so the stats
 * page can link it without giving the console the API key. Without a live session: 401.
 */
export function consoleReportsRoute(o: { runs: SqliteTrainingRuns; operators: SqliteOperators }): RouteMount {
  return ({ app }) => {
    app.get('/console/reports/:id', async (req, res) => {
      if (!operatorOf(req, o.operators)) throw new AppError('unauthorized', 'sign in to the console first');
      await sendReport(res, runById(o.runs, req.params.id));
    });
  };
}
