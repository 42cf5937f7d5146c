import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { QaNet } from '../../src/nets/qa/qa-net.js';
import { rankKey } from '../../src/nets/qa/scoring.js';
import { pairFeatures } from '../../training/qa/eval-set.js';
import { type KbEntry, readPairs } from '../../training/qa/pairs.js';

/** Weights of the classifier's probability tried as a fourth term of the rank key. */
export const CATEGORY_WEIGHTS = [0, 1, 2, 4, 8] as const;

/**
 * Whether the classifier's category helps as a feature of the answer score (not as a pin):
 * each answer's rank key gains `w × p(its category)`, p from the classifier for the question,
 * so a confident classifier lifts its category's answers and an unsure one barely moves them,
 * and the list stays in order of the (new) score. Top-1 on a test set for each weight; weight
 * 0 is the answer net alone.
 */
export function categoryFeatureTop1(
  qa: QaNet,
  classifier: ClassifierNet,
  kb: readonly KbEntry[],
  file: string,
): Record<number, number> {
  const rows = readPairs(file);
  const questions = rows.map((r) => r.question);
  const all = Int32Array.from(kb, (_, i) => i);
  const features = pairFeatures(qa, {
    questions,
    answers: kb.map((a) => a.text),
    lists: rows.map((r) => ({
      candidates: all,
      labels: Uint8Array.from(kb, (a) => (a.category === r.category ? 1 : 0)),
    })),
  });
  const labels = classifier.meta.labels;
  const classes = labels.length;
  const column = kb.map((a) => (a.category === null ? -1 : labels.indexOf(a.category)));
  const probs = classifier.probabilities(questions);
  const out: Record<number, number> = {};
  for (const w of CATEGORY_WEIGHTS) {
    let right = 0;
    features.forEach((f, i) => {
      let best = 0;
      let bestKey = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < f.dot.length; j++) {
        const p = column[j]! >= 0 ? probs[i * classes + column[j]!]! : 0;
        const key = rankKey(qa.meta.scoring, f.dot[j]!, f.count[j]!, f.weighted[j]!) + w * p;
        if (key > bestKey) {
          bestKey = key;
          best = j;
        }
      }
      if (f.labels[best]! > 0) right++;
    });
    out[w] = right / Math.max(1, rows.length);
  }
  return out;
}
