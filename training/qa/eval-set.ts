import { overlap } from '../../src/nets/qa/lexical.js';
import { keyToScore, rankKey, type Scoring } from '../../src/nets/qa/scoring.js';
import type { Tower } from '../../src/nets/qa/topology.js';
import { mapMrr, rankOrder } from './ranking-metrics.js';

/**
 * A validation or test set for a two-tower net: questions, a pool of answer texts, and for
 * each question the candidates to rank (its own list, as in WikiQA, or the whole pool, as
 * for a knowledge base) with which of them are right.
 */
export interface EvalSet {
  questions: string[];
  answers: string[];
  /** Per question: candidate answer indices and a 0/1 label for each. */
  lists: Array<{ candidates: Int32Array; labels: Uint8Array }>;
}

/** What the evaluation needs from a net (a loaded QaNet, or one being trained). */
export interface Embedder {
  dim: number;
  embed(texts: readonly string[], tower: Tower): Float32Array;
  terms(text: string): Int32Array;
  termIdf: Float32Array;
}

/** The three features of every (question, candidate) pair of a set. */
export interface PairFeatures {
  dot: Float32Array;
  count: Float32Array;
  weighted: Float32Array;
  labels: Uint8Array;
}

/** Term ids of a set's texts: they depend only on the net's vectoriser, so training computes them once. */
export interface SetTerms {
  questions: Int32Array[];
  answers: Int32Array[];
}

/** Content terms of every text of a set. */
export function setTerms(net: Pick<Embedder, 'terms'>, set: EvalSet): SetTerms {
  return { questions: set.questions.map((q) => net.terms(q)), answers: set.answers.map((a) => net.terms(a)) };
}

/** Features of every pair, one entry per question. */
export function pairFeatures(net: Embedder, set: EvalSet, terms = setTerms(net, set)): PairFeatures[] {
  const d = net.dim;
  const q = net.embed(set.questions, 'question');
  const a = net.embed(set.answers, 'answer');
  return set.lists.map((list, i) => {
    const n = list.candidates.length;
    const f: PairFeatures = {
      dot: new Float32Array(n),
      count: new Float32Array(n),
      weighted: new Float32Array(n),
      labels: list.labels,
    };
    list.candidates.forEach((c, j) => {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k]! * a[c * d + k]!;
      const o = overlap(terms.questions[i]!, terms.answers[c]!, net.termIdf);
      f.dot[j] = dot;
      f.count[j] = o.count;
      f.weighted[j] = o.weighted;
    });
    return f;
  });
}

/** Rank keys of each list's candidates under a scoring (what the served ranking compares). */
export function keyLists(features: readonly PairFeatures[], s: Scoring): Float64Array[] {
  return features.map((f) =>
    Float64Array.from(f.dot, (dot, j) => rankKey(s, dot, f.count[j]!, f.weighted[j]!)),
  );
}

/** Ranking and retrieval figures of scored lists. */
export interface RankingFigures {
  map: number;
  mrr: number;
  top1: number;
  top3: number;
  questions: number;
}

/** MAP, MRR and top-1/top-3 accuracy (a right answer among the first k). */
export function rankingFigures(features: readonly PairFeatures[], s: Scoring): RankingFigures {
  const keys = keyLists(features, s);
  const lists = features.map((f, i) => ({ scores: keys[i]!, labels: f.labels }));
  const { map, mrr } = mapMrr(lists);
  let top1 = 0;
  let top3 = 0;
  for (const l of lists) {
    const first = rankOrder(l).findIndex((j) => l.labels[j]! > 0);
    if (first === 0) top1++;
    if (first >= 0 && first < 3) top3++;
  }
  const n = Math.max(1, lists.length);
  return { map, mrr, top1: top1 / n, top3: top3 / n, questions: lists.length };
}

/** Each list's best-scored candidate: its score and whether it is right (for the answer threshold). */
export function topAnswers(
  features: readonly PairFeatures[],
  s: Scoring,
): Array<{ conf: number; right: boolean }> {
  const keys = keyLists(features, s);
  return features.map((f, i) => {
    const order = rankOrder({ scores: keys[i]!, labels: f.labels });
    const best = order[0];
    return best === undefined
      ? { conf: 0, right: false }
      : { conf: keyToScore(keys[i]![best]!), right: f.labels[best]! > 0 };
  });
}
