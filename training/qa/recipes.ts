import { DEFAULT_QA_ARCHITECTURE, DEFAULT_QA_SETTINGS, type QaArchitecture } from './train-qa.js';
import type { QaTrainSettings } from './trainer.js';

/** An architecture with its training settings. */
export interface QaRecipe {
  architecture: QaArchitecture;
  settings: QaTrainSettings;
}

/**
 * The two recipes of `npm run train -- qa`, chosen on validation splits (docs/qa.md):
 * - `kb`: questions against a knowledge base of a few hundred answers (the bank bot): both
 *   paths, the softmax over the whole base at every step;
 * - `ranking`: answer selection among a question's own candidates (WikiQA): the conv path
 *   only (the n-gram table learns the training questions by heart on a thousand pairs),
 *   in-batch answers plus hard negatives from each question's candidates.
 */
export const QA_RECIPES: Record<'kb' | 'ranking', QaRecipe> = {
  kb: { architecture: DEFAULT_QA_ARCHITECTURE, settings: { ...DEFAULT_QA_SETTINGS, allAnswers: true } },
  ranking: {
    architecture: { ...DEFAULT_QA_ARCHITECTURE, wideBits: null },
    settings: { ...DEFAULT_QA_SETTINGS, dropout: 0.5, maxEpochs: 20, allAnswers: false },
  },
};
