import type { OperatorLabelStore } from '../../src/retraining/operator-labels-port.js';
import type { GateSettings } from './gate.js';
import type { RetrainContext } from './options.js';
import type { QaKbAnswer } from './qa-data.js';

/** Where a Q/A retraining reads and writes: the classifier's context with answers instead of labels. */
export interface QaRetrainContext extends Omit<RetrainContext, 'labels' | 'netOf'> {
  labels: Pick<OperatorLabelStore, 'answerActions'>;
  /** The two-tower net and the knowledge base a bot uses (from its bot file). */
  qaOf(bot: string): { net: string; kb: string };
  /** The active answers of a knowledge base. */
  kbAnswers(kb: string): Promise<QaKbAnswer[]>;
}

/** What `npm run retrain -- qa` was asked to do. */
export interface QaRetrainOptions {
  bot: string;
  since?: Date;
  dryRun: boolean;
  force?: string;
  seed?: number;
  maxEpochs?: number;
  heldOutFraction: number;
  gate: GateSettings;
  /** The fixed regression set (question/text and category columns); else the one recorded. */
  regressionFile?: string;
  /** Train from random weights with the in-service recipe instead of fine-tuning it. */
  fromScratch?: boolean;
  /**
   * Control run: the training pairs' answers permuted among their questions, from scratch: a
   * net that ranks no better than chance, which the gate must refuse.
   */
  shuffleLabels?: boolean;
}
