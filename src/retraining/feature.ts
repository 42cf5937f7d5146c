/**
 * Retraining as a feature: the training runs' API (`/api/v1/training-runs`) and, with
 * `NEURODESK_RETRAIN_SCHEDULE`, every bot's classifier retrained in child processes.
 */
import type { Config } from '../config.js';
import type { BotRegistry } from '../core/bots/bot.js';
import type { Feature } from '../feature.js';
import type { Logger } from '../logger.js';
import type { SqliteTrainingRuns } from '../store/repositories/training-runs.js';
import { parseCron } from './cron.js';
import { RetrainScheduler } from './scheduler.js';
import { spawnRetrain } from './spawn-retrain.js';
import { trainingRunsRoutes } from './training-runs-routes.js';

/** Builds the retraining feature; the schedule starts with the gateway. */
export function createRetrainingFeature(p: {
  config: Config;
  bots: BotRegistry;
  runs: SqliteTrainingRuns;
  logger: Logger;
}): Feature {
  let scheduler: RetrainScheduler | null = null;
  return {
    name: 'retraining',
    mounts: [trainingRunsRoutes(p.runs)],
    start() {
      if (p.config.retrain.schedule) scheduler = startRetrainSchedule(p.config, p.bots, p.logger);
    },
    close: () => scheduler?.stop(),
  };
}

/** Retrains every bot's classifier on `NEURODESK_RETRAIN_SCHEDULE`, in child processes. */
function startRetrainSchedule(config: Config, bots: BotRegistry, logger: Logger): RetrainScheduler {
  const log = logger.child({ component: 'retrain' });
  const g = config.retrain.gate;
  const scheduler = new RetrainScheduler({
    schedule: parseCron(config.retrain.schedule!),
    bots: () => bots.all().map((b) => b.name),
    logger: log,
    start: (bot) =>
      spawnRetrain(
        bot,
        {
          dataDir: config.dataDir,
          netsDir: config.netsDir,
          botsDir: config.botsDir,
          backend: config.tfBackend,
          // The child applies the gateway's own gate, whatever its environment says.
          env: {
            NEURODESK_RETRAIN_HELD_OUT: String(config.retrain.heldOutFraction),
            NEURODESK_RETRAIN_F1_TOLERANCE: String(g.macroF1Tolerance),
            NEURODESK_RETRAIN_MAX_CATEGORY_DROP: String(g.maxCategoryDrop),
            NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT: String(g.minCategorySupport),
          },
        },
        (stream, line) => (stream === 'out' ? log.info({ bot }, line) : log.debug({ bot }, line)),
      ),
  });
  scheduler.start();
  return scheduler;
}
