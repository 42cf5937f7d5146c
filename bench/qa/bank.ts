import { AnswerIndex } from '../../src/nets/qa/answer-index.js';
import type { QaNet } from '../../src/nets/qa/qa-net.js';
import { quantile } from '../../training/classifier/metrics.js';
import { type EvalSet, pairFeatures, rankingFigures } from '../../training/qa/eval-set.js';
import { type KbEntry, readPairs } from '../../training/qa/pairs.js';

/** Figures of a net over the bank knowledge base. */
export interface BankFigures {
  bankTop1: number;
  bankTop3: number;
  bankQuestions: number;
  /** Share of test questions whose top answer scores at or above the net's threshold, and their accuracy. */
  bankSureShare: number;
  bankSureTop1: number;
  ruTop1: number;
  ruQuestions: number;
  /** One question end to end in process (question tower, scan of the knowledge base, top-3), p50 and p99. */
  suggestP50Ms: number;
  suggestP99Ms: number;
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

/** Top-1/top-3 of BANKING77 test questions (right when the top answer is of the question's category), the Russian check, and latency. */
export function benchBank(net: QaNet, kb: readonly KbEntry[], testFile: string, ruFile: string): BankFigures {
  const test = readPairs(testFile);
  const features = pairFeatures(net, kbSet(kb, test));
  const figures = rankingFigures(features, net.meta.scoring);
  let sure = 0;
  let sureRight = 0;
  const { scoring, threshold } = net.meta;
  for (const f of features) {
    let best = 0;
    let bestKey = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < f.dot.length; j++) {
      const key =
        scoring.dense * f.dot[j]! +
        scoring.count * f.count[j]! +
        scoring.weighted * f.weighted[j]! +
        scoring.bias;
      if (key > bestKey) {
        bestKey = key;
        best = j;
      }
    }
    if (1 / (1 + Math.exp(-bestKey)) >= threshold) {
      sure++;
      if (f.labels[best]! > 0) sureRight++;
    }
  }
  const ru = rankingFigures(pairFeatures(net, kbSet(kb, readPairs(ruFile))), scoring);

  const index = new AnswerIndex(net.dim, scoring, net.termIdf);
  const vectors = net.embed(
    kb.map((a) => a.text),
    'answer',
  );
  index.upsert(
    kb.map((a, i) => ({
      id: i + 1,
      revision: 1,
      category: a.category,
      vector: vectors.subarray(i * net.dim, (i + 1) * net.dim),
      terms: net.terms(a.text),
    })),
  );
  const texts = test.slice(0, 320).map((r) => r.question);
  const times = texts.map((t) => {
    const start = performance.now();
    index.search([{ vector: net.embed([t], 'question'), terms: net.terms(t), k: 3 }]);
    return performance.now() - start;
  });
  const measured = times.slice(20);
  return {
    bankTop1: figures.top1,
    bankTop3: figures.top3,
    bankQuestions: figures.questions,
    bankSureShare: sure / features.length,
    bankSureTop1: sure ? sureRight / sure : 0,
    ruTop1: ru.top1,
    ruQuestions: ru.questions,
    suggestP50Ms: quantile(measured, 0.5),
    suggestP99Ms: quantile(measured, 0.99),
  };
}
