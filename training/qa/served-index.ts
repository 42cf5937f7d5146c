import { AnswerIndex } from '../../src/nets/qa/answer-index.js';
import type { QaNet } from '../../src/nets/qa/qa-net.js';
import type { KbEntry } from './pairs.js';

/**
 * The answer index the gateway would serve for a knowledge base: every answer embedded by the
 * net, with its category and language (ids 1…n in the base's order).
 */
export function servedIndex(net: QaNet, kb: readonly KbEntry[]): AnswerIndex {
  const index = new AnswerIndex(net.dim, net.meta.scoring, net.termIdf);
  const vectors = net.embed(
    kb.map((a) => a.text),
    'answer',
  );
  index.upsert(
    kb.map((a, i) => ({
      id: i + 1,
      revision: 1,
      category: a.category,
      language: a.language,
      vector: vectors.subarray(i * net.dim, (i + 1) * net.dim),
      terms: net.terms(a.text),
    })),
  );
  return index;
}
