import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import type { TrainingRunStore } from '../retraining/training-runs-port.js';
import { runById, sendReport } from '../retraining/training-runs-routes.js';
import { operatorOf } from './auth-routes.js';
import type { OperatorStore } from './operator-store-port.js';

/** The link the stats page shows for the latest training report, or null before the first one. */
export async function latestReportLink(runs: TrainingRunStore): Promise<string | null> {
  const run = await runs.latestWithReport();
  return run ? `/console/reports/${run.id}` : null;
}

/**
 * `GET /console/reports/:id`: a training run's report for signed-in operators, so the stats
 * page can link it without giving the console the API key. Without a live session: 401.
 */
export function consoleReportsRoute(o: { runs: TrainingRunStore; operators: OperatorStore }): RouteMount {
  return ({ app }) => {
    app.get('/console/reports/:id', async (req, res) => {
      if (!(await operatorOf(req, o.operators)))
        throw new AppError('unauthorized', 'sign in to the console first');
      await sendReport(res, await runById(o.runs, req.params.id));
    });
  };
}
