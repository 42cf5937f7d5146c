import type { QaNet } from '../../src/nets/qa/qa-net.js';
import { keyToScore, rankKey } from '../../src/nets/qa/scoring.js';
import { quantile } from '../../training/classifier/metrics.js';
import { type EvalSet, type PairFeatures, pairFeatures, rankingFigures } from '../../training/qa/eval-set.js';
import { type KbEntry, readPairs } from '../../training/qa/pairs.js';
import { servedIndex } from '../../training/qa/served-index.js';

/** One test set of the bank knowledge base, in one language. */
export interface BankTestSet {
  /** Key prefix of its figures, e.g. `En`, `Ru`, `RuHand`. */
  key: string;
  file: string;
  language: string;
}

function kbSet(kb: readonly KbEntry[], rows: Array<{ question: string; category?: string }>): EvalSet {
  const all = Int32Array.from(kb, (_, i) => i);
  return {
    questions: rows.map((r) => r.question),
    answers: kb.map((a) => a.text),
    lists: rows.map((r) => ({
      candidates: all,
      labels: Uint8Array.from(kb, (a) => (a.category === r.category ? 1 : 0)),
    })),
  };
}

/** Share of questions whose best answer scores at or above the threshold, and the top-1 among them. */
function sureFigures(features: readonly PairFeatures[], net: QaNet): { share: number; top1: number } {
  const { scoring, threshold } = net.meta;
  let sure = 0;
  let right = 0;
  for (const f of features) {
    let best = 0;
    let bestKey = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < f.dot.length; j++) {
      const key = rankKey(scoring, f.dot[j]!, f.count[j]!, f.weighted[j]!);
      if (key > bestKey) {
        bestKey = key;
        best = j;
      }
    }
    if (keyToScore(bestKey) >= threshold) {
      sure++;
      if (f.labels[best]! > 0) right++;
    }
  }
  return { share: sure / Math.max(1, features.length), top1: sure ? right / sure : 0 };
}

/**
 * Figures of a net over the bank knowledge base, per test set (language):
 * - `bankTop1X` / `bankTop3X`: an answer of the question's category first / among the first
 *   three, ranking the whole base (both languages) by score;
 * - `bankServedTop1X`, `bankInLanguageX`: as the gateway serves three suggestions (the
 *   question's language only when one of its answers reaches the net's threshold, by score
 *   otherwise): top-1 right, and the share of questions whose three are all in their language;
 * - `bankSureShareX` / `bankSureTop1X`: questions whose best answer reaches the threshold, and
 *   their top-1.
 * Plus the in-process latency of one suggestion (question tower, scan, top-3), p50 and p99.
 */
export function benchBank(
  net: QaNet,
  kb: readonly KbEntry[],
  sets: readonly BankTestSet[],
): Record<string, number> {
  const out: Record<string, number> = { bankAnswers: kb.length };
  const index = servedIndex(net, kb);
  const answerOf = (id: number) => kb[id - 1]!;
  for (const s of sets) {
    const rows = readPairs(s.file);
    const features = pairFeatures(net, kbSet(kb, rows));
    const figures = rankingFigures(features, net.meta.scoring);
    const sure = sureFigures(features, net);
    const questions = rows.map((r) => r.question);
    const vectors = net.embed(questions, 'question');
    const hits = index.search(
      rows.map((r, i) => ({
        vector: vectors.subarray(i * net.dim, (i + 1) * net.dim),
        terms: net.terms(r.question),
        k: 3,
        language: s.language,
        languageFloor: net.meta.threshold,
      })),
    );
    let servedRight = 0;
    let inLanguage = 0;
    hits.forEach((h, i) => {
      if (h[0] && answerOf(h[0].id).category === rows[i]!.category) servedRight++;
      if (h.length > 0 && h.every((x) => x.language === s.language)) inLanguage++;
    });
    const n = Math.max(1, rows.length);
    Object.assign(out, {
      [`bankTop1${s.key}`]: figures.top1,
      [`bankTop3${s.key}`]: figures.top3,
      [`bankServedTop1${s.key}`]: servedRight / n,
      [`bankInLanguage${s.key}`]: inLanguage / n,
      [`bankSureShare${s.key}`]: sure.share,
      [`bankSureTop1${s.key}`]: sure.top1,
      [`bankQuestions${s.key}`]: rows.length,
    });
  }

  const texts = readPairs(sets[0]!.file)
    .slice(0, 320)
    .map((r) => r.question);
  const times = texts.map((t) => {
    const start = performance.now();
    index.search([{ vector: net.embed([t], 'question'), terms: net.terms(t), k: 3 }]);
    return performance.now() - start;
  });
  const measured = times.slice(20);
  out.suggestP50Ms = quantile(measured, 0.5);
  out.suggestP99Ms = quantile(measured, 0.99);
  return out;
}
