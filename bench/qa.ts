import { parseArgs } from 'node:util';
import { initBackend } from '../src/nets/backend.js';
import { ClassifierNet } from '../src/nets/classifier/classifier-net.js';
import { QaNet } from '../src/nets/qa/qa-net.js';
import { kbTrainingSets, readKb, readPairs } from '../training/qa/pairs.js';
import { QA_RECIPES } from '../training/qa/recipes.js';
import { defaultQaOptions, trainQa } from '../training/qa/train-qa.js';
import { DEFAULT_WIKIQA_DIR } from '../training/qa/wikiqa.js';
import { type BankTestSet, benchBank } from './qa/bank.js';
import { categoryFeatureTop1 } from './qa/category-feature.js';
import { measureScan } from './qa/latency.js';
import { benchWikiQa } from './qa/wikiqa.js';
import { writeBenchResults } from './write-results.js';

/**
 * `npm run bench:qa [-- --wikiqa DIR] [--bank-net nets/bank-qa | --train-bank] [--classifier nets/bank-classifier|none] [--no-wikiqa] [--seed N]`
 *
 * 1. WikiQA (research-only: read from `--wikiqa`, `NEURODESK_WIKIQA_DIR` or ../shared/data/wikiqa,
 *    never copied): trains the ranking recipe on train, chooses on dev, scores filtered test.
 * 2. The bank knowledge base (an English and a Russian answer per category): top-1/top-3 of the
 *    BANKING77 English and BANKING77-ru Russian test questions and of the hand-written Russian
 *    ones, ranked and as served (in the question's language), with the committed net (or one
 *    trained here with --train-bank), and suggestion latency.
 * 3. The scan: top-10 over 100,000 cached 256-dim answers, beside a plain pass over the same matrix.
 */
const { values } = parseArgs({
  options: {
    wikiqa: { type: 'string', default: process.env.NEURODESK_WIKIQA_DIR ?? DEFAULT_WIKIQA_DIR },
    'no-wikiqa': { type: 'boolean', default: false },
    'bank-net': { type: 'string', default: 'nets/bank-qa' },
    'train-bank': { type: 'boolean', default: false },
    /** The classifier whose category is tried as a feature of the answer score (`none` to skip). */
    classifier: { type: 'string', default: 'nets/bank-classifier' },
    seed: { type: 'string', default: '1' },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);
const seed = Number(values.seed);
const backend = await initBackend('wasm');
const figures: Record<string, unknown> = { backend: backend.name };

if (!values['no-wikiqa']) {
  const w = benchWikiQa(values.wikiqa, seed, log);
  Object.assign(figures, w ?? { wikiqaMap: null, wikiqaMrr: null });
  if (w) {
    log(
      `WikiQA filtered test (${w.wikiqaTestQuestions} questions): MAP ${w.wikiqaMap.toFixed(4)} MRR ${w.wikiqaMrr.toFixed(4)} (target 0.652 / 0.665)`,
    );
    log(
      `  cosine alone MAP ${w.wikiqaCosineMap.toFixed(4)}, IDF-weighted overlap alone MAP ${w.wikiqaOverlapMap.toFixed(4)}; dev MAP ${w.wikiqaDevMap.toFixed(4)}`,
    );
  }
}

const kbFile = 'training/data/bank-kb/answers.jsonl';
const kb = readKb(kbFile);
const BANK_SETS: BankTestSet[] = [
  { key: 'En', file: 'training/data/banking77/test.csv', language: 'en' },
  { key: 'Ru', file: 'training/data/banking77-ru/test.csv', language: 'ru' },
  { key: 'RuHand', file: 'training/data/bank-kb/questions-ru-test.csv', language: 'ru' },
];
let net: QaNet;
if (values['train-bank']) {
  const files = [
    readPairs('training/data/banking77/train.csv'),
    readPairs('training/data/banking77-ru/train.csv'),
    readPairs('training/data/bank-kb/questions-ru.csv'),
  ];
  const sets = kbTrainingSets(files, kb, 0.1, seed);
  const recipe = QA_RECIPES.kb;
  log(`bank: training the kb recipe on ${sets.train.questions.length} questions...`);
  const started = performance.now();
  ({ net } = trainQa({
    ...defaultQaOptions(),
    ...recipe,
    settings: { ...recipe.settings, seed },
    name: 'bank-qa',
    train: sets.train,
    val: sets.val,
    valMetric: 'top1',
    dataFiles: [],
    onEpoch: (e) =>
      log(
        `  epoch ${e.epoch}: loss ${e.loss.toFixed(4)} val top-1 ${(e.val * 100).toFixed(2)}% (${e.seconds.toFixed(0)} s)`,
      ),
  }));
  figures.bankTrainSeconds = (performance.now() - started) / 1000;
  figures.bankNet = 'trained here';
} else {
  net = QaNet.load(values['bank-net']);
  figures.bankTrainSeconds = net.meta.metrics.trainSeconds ?? null;
  figures.bankNet = `${net.location!.name}/${net.location!.version}`;
}
const b = benchBank(net, kb, BANK_SETS);
Object.assign(figures, b, { bankThreshold: net.meta.threshold });
const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(2)}%`;
for (const s of BANK_SETS) {
  log(
    `bank KB, ${s.file} (${b[`bankQuestions${s.key}`]} questions, ${s.language}): top-1 ${pct(b[`bankTop1${s.key}`])} top-3 ${pct(b[`bankTop3${s.key}`])}; ` +
      `served top-1 ${pct(b[`bankServedTop1${s.key}`])}, all three in ${s.language} ${pct(b[`bankInLanguage${s.key}`])}; ` +
      `at or above the threshold ${pct(b[`bankSureShare${s.key}`])}, ${pct(b[`bankSureTop1${s.key}`])} right`,
  );
}
log(`  target: Russian top-1 ≥ 85 % (stretch 90 %); threshold ${net.meta.threshold.toFixed(3)}`);
if (values.classifier !== 'none') {
  // The classifier's category as a feature of the score (measured, not served unless it helps).
  const classifier = ClassifierNet.load(values.classifier);
  for (const set of BANK_SETS.slice(0, 2)) {
    const top1 = categoryFeatureTop1(net, classifier, kb, set.file);
    for (const [w, v] of Object.entries(top1)) figures[`bankCategoryFeatureTop1${set.key}W${w}`] = v;
    log(
      `  ${set.language}: top-1 with the classifier's category as a feature, by weight: ${Object.entries(top1)
        .map(([w, v]) => `${w}: ${pct(v)}`)
        .join(', ')} (${classifier.location!.name}/${classifier.location!.version})`,
    );
  }
  figures.bankCategoryFeatureClassifier = `${classifier.location!.name}/${classifier.location!.version}`;
  classifier.dispose();
}
log(
  `  one suggestion in process: p50 ${b.suggestP50Ms!.toFixed(2)} ms, p99 ${b.suggestP99Ms!.toFixed(2)} ms`,
);
net.dispose();

log('scan: top-10 over 100,000 × 256 cached answers...');
const s = measureScan();
Object.assign(figures, s);
log(
  `  top-10 p50 ${s.top10P50Ms.toFixed(2)} ms, p99 ${s.top10P99Ms.toFixed(2)} ms (target p99 ≤ 12 ms); plain pass ${s.scanFloorMs.toFixed(2)} ms: ratio ${s.scanFloorRatio.toFixed(2)}`,
);
log(
  `  scalar JavaScript: plain pass ${s.jsPassMs.toFixed(2)} ms, top-10 ${s.jsTop10P50Ms.toFixed(2)} ms; 16 questions together: ${s.batch16PerQuestionMs.toFixed(2)} ms each`,
);

const path = writeBenchResults(
  'qa',
  `npm run bench:qa -- ${process.argv.slice(2).join(' ')}`.trim(),
  figures,
);
log(`wrote ${path}`);
