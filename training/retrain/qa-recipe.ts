import type { QaNet } from '../../src/nets/qa/qa-net.js';
import { DEFAULT_QA_SETTINGS, type QaArchitecture } from '../qa/train-qa.js';
import type { QaTrainSettings } from '../qa/trainer.js';

/** Above this many answers the softmax runs over the batch's answers, as `train -- qa` does. */
const ALL_ANSWERS_LIMIT = 512;

/**
 * The in-service two-tower recipe: its architecture and settings; for a fine-tune a quarter
 * of its learning rates, at most 6 epochs with patience 2 (a converged net needs small steps).
 */
export function qaRecipeOf(
  old: QaNet,
  o: { seed?: number; maxEpochs?: number; answers: number; fromScratch: boolean },
): { architecture: QaArchitecture; settings: QaTrainSettings } {
  const t = old.topology;
  const m = old.meta.training as Partial<Record<keyof QaTrainSettings, unknown>>;
  const settings = { ...DEFAULT_QA_SETTINGS };
  for (const key of Object.keys(settings) as Array<keyof QaTrainSettings>) {
    if (typeof m[key] === typeof settings[key]) (settings as Record<string, unknown>)[key] = m[key];
  }
  if (!o.fromScratch) {
    settings.learningRate *= 0.25;
    settings.wideLearningRate *= 0.25;
    settings.maxEpochs = Math.min(settings.maxEpochs, 6);
    settings.patience = Math.min(settings.patience, 2);
  }
  settings.allAnswers = o.answers <= ALL_ANSWERS_LIMIT;
  if (o.seed !== undefined) settings.seed = o.seed;
  if (o.maxEpochs !== undefined) settings.maxEpochs = o.maxEpochs;
  return {
    architecture: {
      dim: t.dim,
      share: t.share,
      conv: t.conv
        ? {
            embedDim: t.conv.embedDim,
            widths: t.conv.widths,
            filters: t.conv.filters,
            maxLength: t.conv.maxLength,
            answerMaxLength: t.conv.answerMaxLength,
          }
        : null,
      wideBits: t.wide ? Math.round(Math.log2(t.wide.vocab)) : null,
      lexicalBits: t.lexical ? t.lexical.bits : null,
    },
    settings,
  };
}
