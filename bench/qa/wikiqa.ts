import { existsSync } from 'node:fs';
import { contentTerms, overlap, termIdf } from '../../src/nets/qa/lexical.js';
import { pairFeatures, rankingFigures } from '../../training/qa/eval-set.js';
import { mapMrr } from '../../training/qa/ranking-metrics.js';
import { QA_RECIPES } from '../../training/qa/recipes.js';
import { evalSetFromLists, examplesFromLists } from '../../training/qa/sets.js';
import { defaultQaOptions, trainQa } from '../../training/qa/train-qa.js';
import { readWikiQa } from '../../training/qa/wikiqa.js';

/** WikiQA figures (filtered test unless named dev). */
export interface WikiQaFigures {
  wikiqaMap: number;
  wikiqaMrr: number;
  wikiqaTop1: number;
  wikiqaCosineMap: number;
  wikiqaCosineMrr: number;
  wikiqaOverlapMap: number;
  wikiqaOverlapMrr: number;
  wikiqaDevMap: number;
  wikiqaDevMrr: number;
  wikiqaTestQuestions: number;
  wikiqaTrainSeconds: number;
  wikiqaBestEpoch: number;
}

/**
 * Trains the `ranking` recipe on WikiQA train (early stopping, the scoring fit and every
 * choice on dev), then scores the filtered test set once: the served scoring, the cosine
 * alone, and the IDF-weighted word overlap alone (the paper's "Wgt Cnt" baseline).
 */
export function benchWikiQa(dir: string, seed: number, log: (line: string) => void): WikiQaFigures | null {
  if (!existsSync(dir)) {
    log(`WikiQA not found at ${dir}: skipped (pass --wikiqa DIR)`);
    return null;
  }
  const trainLists = readWikiQa(dir, 'train', false);
  const dev = evalSetFromLists(readWikiQa(dir, 'dev', true));
  const testLists = readWikiQa(dir, 'test', true);
  const test = evalSetFromLists(testLists);
  const o = defaultQaOptions();
  const recipe = QA_RECIPES.ranking;
  log(`WikiQA: training the ranking recipe on ${trainLists.length} questions...`);
  const started = performance.now();
  const { net } = trainQa({
    ...o,
    ...recipe,
    settings: { ...recipe.settings, seed },
    name: 'wikiqa',
    train: examplesFromLists(trainLists),
    val: dev,
    valMetric: 'map',
    dataFiles: [],
    onEpoch: (e) =>
      log(
        `  epoch ${e.epoch}: loss ${e.loss.toFixed(4)} dev MAP ${e.val.toFixed(4)} (${e.seconds.toFixed(0)} s)`,
      ),
  });
  const seconds = (performance.now() - started) / 1000;
  const features = pairFeatures(net, test);
  const served = rankingFigures(features, net.meta.scoring);
  const cosine = rankingFigures(features, { dense: 1, count: 0, weighted: 0, bias: 0 });
  // The overlap baseline: IDF over the training sentences, as the net's lexical features.
  const bits = 18;
  const idf = termIdf(
    trainLists.flatMap((q) => [q.question, ...q.candidates]).map((t) => contentTerms(t, 0x5eed, bits)),
    bits,
  );
  const lexical = mapMrr(
    testLists.map((q) => {
      const qt = contentTerms(q.question, 0x5eed, bits);
      return {
        scores: q.candidates.map((c) => overlap(qt, contentTerms(c, 0x5eed, bits), idf).weighted),
        labels: q.labels,
      };
    }),
  );
  const figures: WikiQaFigures = {
    wikiqaMap: served.map,
    wikiqaMrr: served.mrr,
    wikiqaTop1: served.top1,
    wikiqaCosineMap: cosine.map,
    wikiqaCosineMrr: cosine.mrr,
    wikiqaOverlapMap: lexical.map,
    wikiqaOverlapMrr: lexical.mrr,
    wikiqaDevMap: net.meta.metrics.valMap!,
    wikiqaDevMrr: net.meta.metrics.valMrr!,
    wikiqaTestQuestions: served.questions,
    wikiqaTrainSeconds: seconds,
    wikiqaBestEpoch: net.meta.training.bestEpoch as number,
  };
  net.dispose();
  return figures;
}
