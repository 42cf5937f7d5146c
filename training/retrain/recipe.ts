import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import { DEFAULT_TRAIN_SETTINGS } from '../classifier/train-classifier.js';
import type { TrainSettings } from '../classifier/trainer.js';
import { type ClassifierRetrainOptions, fromScratch } from './options.js';

/**
 * Base rows a fine-tune replays per epoch beside every operator label (a stratified sample: per
 * base file, i.e. language, and category), instead of the whole base data: 3,000 of the default
 * bilingual net's ~18,000 (docs/retraining.md, "Replay").
 */
export const DEFAULT_REPLAY_ROWS = 3000;

/** The in-service recipe, so a retrained version is the same kind of net with more knowledge. */
export function recipeOf(old: ClassifierNet, o: ClassifierRetrainOptions) {
  const t = old.topology;
  const m = old.meta.training as Partial<Record<keyof TrainSettings | 'valFraction', unknown>>;
  const train = { ...DEFAULT_TRAIN_SETTINGS };
  for (const key of Object.keys(train) as Array<keyof TrainSettings>) {
    if (typeof m[key] === 'number') train[key] = m[key] as number;
  }
  if (!fromScratch(o)) {
    // A converged net needs small steps: Adam's first updates are about the learning rate in size.
    train.learningRate *= 0.25;
    train.wideLearningRate *= 0.25;
    train.maxEpochs = Math.min(train.maxEpochs, 6);
    train.patience = Math.min(train.patience, 2);
  }
  if (o.seed !== undefined) train.seed = o.seed;
  if (o.maxEpochs !== undefined) train.maxEpochs = o.maxEpochs;
  const precision = /≥ ([\d.]+) %/.exec(old.meta.unsureRule ?? '')?.[1];
  return {
    vectoriser: old.meta.vectoriser,
    architecture: {
      conv: t.conv
        ? {
            embedDim: t.conv.embedDim,
            widths: t.conv.widths,
            filters: t.conv.filters,
            maxLength: t.conv.maxLength,
          }
        : null,
      wideBits: t.wide ? Math.round(Math.log2(t.wide.vocab)) : null,
    },
    train,
    valFraction: typeof m.valFraction === 'number' ? m.valFraction : 0.1,
    unsurePrecision: precision ? Number(precision) / 100 : 0.95,
    /** Base rows replayed per epoch, or null for all of them (every run from scratch; `--replay all`). */
    replayRows: fromScratch(o) || o.replayRows === 0 ? null : (o.replayRows ?? DEFAULT_REPLAY_ROWS),
  };
}
