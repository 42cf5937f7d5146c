/**
 * Retraining as a feature: the training runs' API (`/api/v1/training-runs`) and, with
 * `NEURODESK_RETRAIN_SCHEDULE`, every bot's classifier and Q/A net retrained in child processes.
 */
import type { Config } from '../config.js';
import type { BotRegistry } from '../core/bots/bot.js';
import type { Feature } from '../feature.js';
import type { Logger } from '../logger.js';
import { parseCron } from './cron.js';
import { RetrainScheduler, retrainJobs } from './scheduler.js';
import { spawnRetrain } from './spawn-retrain.js';
import type { TrainingRunStore } from './training-runs-port.js';
import { trainingRunsRoutes } from './training-runs-routes.js';

/** Builds the retraining feature; the schedule starts with the gateway. */
export function createRetrainingFeature(p: {
  config: Config;
  bots: BotRegistry;
  runs: TrainingRunStore;
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

/** Retrains every bot's classifier and Q/A net (as its bot file says) on `NEURODESK_RETRAIN_SCHEDULE`, in child processes. */
function startRetrainSchedule(config: Config, bots: BotRegistry, logger: Logger): RetrainScheduler {
  const log = logger.child({ component: 'retrain' });
  const g = config.retrain.gate;
  const scheduler = new RetrainScheduler({
    schedule: parseCron(config.retrain.schedule!),
    jobs: () => retrainJobs(bots.all()),
    logger: log,
    start: (job) =>
      spawnRetrain(
        job,
        {
          dataDir: config.dataDir,
          netsDir: config.netsDir,
          botsDir: config.botsDir,
          backend: config.tfBackend,
          // The child applies the gateway's own gate, whatever its environment says.
          env: {
            NEURODESK_RETRAIN_HELD_OUT: String(config.retrain.heldOutFraction),
            NEURODESK_RETRAIN_CONFIDENCE: String(g.confidence),
            NEURODESK_RETRAIN_F1_TOLERANCE: String(g.macroF1Tolerance ?? 'off'),
            NEURODESK_RETRAIN_MAX_CATEGORY_DROP: String(g.maxCategoryDrop ?? 'off'),
            NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT: String(g.minCategorySupport),
          },
        },
        (stream, line) =>
          stream === 'out'
            ? log.info({ bot: job.bot, kind: job.kind }, line)
            : log.debug({ bot: job.bot }, line),
      ),
  });
  scheduler.start();
  return scheduler;
}
