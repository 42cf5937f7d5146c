import { DEFAULT_VECTORISER_SETTINGS, Vectoriser } from '../nets/vectoriser.js';
import type { TextFeatures } from './model/content-index.js';

/** The vectoriser's placeholders: they say a number (or id, URL, e-mail) was there, not which. */
const PLACEHOLDERS = ['<num>', '<id>', '<url>', '<email>'];

/**
 * Product titles through the project's vectoriser: its char trigrams (with word-boundary
 * marks, after Unicode normalisation), so "tyres for Toyota" shares " to", "toy", "oyo",
 * "yot", "ota", "ta " with every other Toyota product. Trigrams that lie inside a
 * placeholder are dropped: "HDMI cable 2 m" and "Butter 250 g" are not alike for both
 * holding a number.
 */
export function trigramFeatures(
  // The bag view is not used here; without it featurize() computes the trigrams only.
  vectoriser = new Vectoriser({ ...DEFAULT_VECTORISER_SETTINGS, bag: null }),
): TextFeatures {
  const stop = new Set(PLACEHOLDERS.flatMap((p) => Array.from(vectoriser.featurize(p).sequence)));
  return {
    dims: 2 ** vectoriser.settings.trigramBits,
    ids: (text) => vectoriser.featurize(text).sequence.filter((id) => !stop.has(id)),
  };
}
