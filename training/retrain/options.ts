import type { OperatorLabelStore } from '../../src/retraining/operator-labels-port.js';
import type { TrainingRunStatus, TrainingRunStore } from '../../src/retraining/training-runs-port.js';
import type { CliIo } from '../commands.js';
import type { GateSettings } from './gate.js';
import type { ClassifierRunResult } from './run-result.js';

/** Where a retraining run reads and writes, and how it talks. */
export interface RetrainContext {
  labels: Pick<OperatorLabelStore, 'categoryActions'>;
  runs: TrainingRunStore;
  netsDir: string;
  /** The gateway's per-thread cache bound (NEURODESK_NETS_CACHE_MB): a larger version cannot be served. */
  netsCacheBytes: number;
  /** Reports of dry runs (which write no version) go here. */
  reportsDir: string;
  /** The classifier a bot uses (from its bot file). */
  netOf(bot: string): string;
  now: () => Date;
  io: CliIo;
  backend: string;
}

/** What `npm run retrain -- classifier` was asked to do. */
export interface ClassifierRetrainOptions {
  bot: string;
  /** Only operator actions from this time on. */
  since?: Date;
  dryRun: boolean;
  /** Promote even if the gate refuses; the reason is stored with the run. */
  force?: string;
  seed?: number;
  /** Caps the epochs (the in-service recipe's cap otherwise): quicker, rougher runs. */
  maxEpochs?: number;
  heldOutFraction: number;
  gate: GateSettings;
  /** Overrides the fixed regression set (recorded with the new version). */
  regressionFile?: string;
  /** Overrides the in-service version's base training file (its hash is then not checked). */
  baseDataFile?: string;
  /**
   * Control run: permute the training labels and train from scratch: a net no better than
   * chance, which the gate must refuse. (Fine-tuning on them would mostly keep the old net.)
   */
  shuffleLabels: boolean;
  /**
   * Control run: the training labels of two categories exchanged (a mapping bug in the data),
   * trained from scratch (a fine-tune's small steps barely move a category the version in
   * service knows): the gate must refuse what it does to those two categories.
   */
  swapCategories?: [string, string];
  /** Control run: train from scratch on this seeded share of the training rows (e.g. 0.1). */
  trainFraction?: number;
  /**
   * Train from random weights instead of fine-tuning the version in service (its weights as the
   * start, a quarter of the learning rate, at most 6 epochs, patience 2).
   */
  fromScratch?: boolean;
}

/** How a run ended. */
export interface RetrainOutcome {
  runId: number;
  status: Exclude<TrainingRunStatus, 'running'>;
  newVersion: string | null;
  reportPath: string | null;
  reasons: string[];
  /** What the run found, when it trained a version (not for skips). */
  result?: ClassifierRunResult;
}

/** True when the run trains from random weights (asked for, or a shuffled-label control run). */
export const fromScratch = (o: ClassifierRetrainOptions): boolean =>
  o.fromScratch === true || isControlRun(o);

/** True for a control run (a worse version made on purpose): it never skips for want of new labels. */
export const isControlRun = (o: ClassifierRetrainOptions): boolean =>
  o.shuffleLabels || o.swapCategories !== undefined || (o.trainFraction !== undefined && o.trainFraction < 1);
