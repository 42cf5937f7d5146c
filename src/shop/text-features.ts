import { DEFAULT_VECTORISER_SETTINGS, Vectoriser } from '../nets/vectoriser.js';
import type { TextFeatures } from './model/content-index.js';

/**
 * Product titles through the project's vectoriser: its char trigrams (with word-boundary
 * marks, after Unicode normalisation), so "tyres for Toyota" shares " to", "toy", "oyo",
 * "yot", "ota", "ta " with every other Toyota product.
 */
export function trigramFeatures(
  // The bag view is not used here; without it featurize() computes the trigrams only.
  vectoriser = new Vectoriser({ ...DEFAULT_VECTORISER_SETTINGS, bag: null }),
): TextFeatures {
  return {
    dims: 2 ** vectoriser.settings.trigramBits,
    ids: (text) => vectoriser.featurize(text).sequence,
  };
}
