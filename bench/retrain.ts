import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { initBackend } from '../src/nets/backend.js';
import { ClassifierNet } from '../src/nets/classifier/classifier-net.js';
import { seededRandom, shuffle } from '../src/nets/random.js';
import { openSqliteStore } from '../src/store/index.js';
import { DEFAULT_WIKIQA_DIR } from '../training/qa/wikiqa.js';
import { botNets } from '../training/retrain/bot-nets.js';
import { isHeldOut } from '../training/retrain/classifier-data.js';
import { predictLabels } from '../training/retrain/compare.js';
import { type ClassifierRetrainOptions, retrainClassifier } from '../training/retrain/retrain-classifier.js';
import { prepareRetrainBench, storeOperatorAction } from './retrain-setup.js';
import { writeBenchResults } from './write-results.js';

/**
 * `npm run bench:retrain [-- --net nets/bank-classifier] [--cases fineTune,newCategory,shuffled,swapped,tenth]
 *   [--swap A,B] [--control-epochs N] [--wikiqa DIR]`
 *
 * The promotion gate on the committed classifier, against the five cases it must get right.
 * Operators are simulated on BANKING77 test: its first half (by a seeded shuffle) becomes 1,540
 * operator actions with the true category (70 % replies, 30 % corrections, 3 % repeated with
 * other case and spacing), the second half is the fixed regression set. Each case starts from
 * the committed net in service:
 *
 * - fineTune: the default run on those honest labels → must be promoted unless significantly worse;
 * - newCategory: the same labels plus WikiQA questions (research-only data, read by path)
 *   labelled `off_topic` by operators, a category the net has never seen → must be promoted;
 * - shuffled, swapped (two categories' labels exchanged), tenth (a tenth of the rows): control
 *   runs from scratch, worse on purpose → must be refused.
 */
const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'nets/bank-classifier' },
    cases: { type: 'string', default: 'fineTune,shuffled,swapped,tenth,newCategory' },
    swap: { type: 'string', default: 'card_arrival,top_up_limits' },
    'control-epochs': { type: 'string', default: '6' },
    'off-topic': { type: 'string', default: '250' },
    wikiqa: { type: 'string', default: process.env.NEURODESK_WIKIQA_DIR ?? DEFAULT_WIKIQA_DIR },
    backend: { type: 'string', default: 'wasm' },
  },
});
const { dirs, served, test, operatorRows, regressionFile, resetCurrent } = prepareRetrainBench(
  'retrain',
  values.net,
  'classifier',
);
const OFF_TOPIC = 'off_topic';
const dbPath = join(dirs.data, 'neurodesk.db');
const rng = seededRandom(8);
let at = Date.parse('2026-11-01T00:00:00Z');
// Simulated actions are stored at their own times; everything else at the real time.
let simulating = false;
const store = openSqliteStore(dbPath, { clock: { now: () => (simulating ? at : Date.now()) } });
const storeAction = async (text: string, category: string, correction = rng.next() < 0.3) => {
  at += 60_000;
  simulating = true;
  await storeOperatorAction(store, at, text, {
    action: correction ? 'correct_category' : 'reply',
    category,
    text: correction ? null : 'answer',
  });
  simulating = false;
};
for (const i of operatorRows) {
  await storeAction(test.texts[i]!, test.labels[i]!);
  if (rng.next() < 0.03) await storeAction(`  ${test.texts[i]!.toUpperCase()} `, test.labels[i]!);
}

/** Distinct WikiQA training questions: a kind of message the bank desk never had a category for. */
function offTopicQuestions(n: number): string[] {
  const seen = new Set<string>();
  for (const line of readFileSync(join(values.wikiqa, 'WikiQA-train.txt'), 'utf8').split('\n')) {
    const q = line
      .split('\t')[0]
      ?.replace(/\s+\?$/, '?')
      .trim();
    if (q) seen.add(q);
  }
  return shuffle([...seen], seededRandom(19)).slice(0, n);
}

const backend = await initBackend(values.backend as 'wasm');
const config = loadConfig({});
const ctx = {
  labels: store.labels,
  runs: store.trainingRuns,
  netsDir: dirs.nets,
  netsCacheBytes: config.nets.cacheBytes,
  reportsDir: join(dirs.data, 'training-reports'),
  netOf: (b: string) => botNets(dirs.bots, b).classifier,
  now: () => new Date(),
  io: { out: process.stdout, err: process.stderr },
  backend: backend.name,
};
const base: ClassifierRetrainOptions = {
  bot: 'bank-support',
  dryRun: false,
  heldOutFraction: config.retrain.heldOutFraction,
  gate: config.retrain.gate,
  regressionFile,
  shuffleLabels: false,
};
const controlEpochs = Number(values['control-epochs']);
const swap = values.swap.split(',') as [string, string];
const CASES: Record<string, { expect: 'promoted' | 'refused'; options: Partial<ClassifierRetrainOptions> }> =
  {
    fineTune: { expect: 'promoted', options: {} },
    shuffled: { expect: 'refused', options: { shuffleLabels: true, maxEpochs: controlEpochs } },
    swapped: { expect: 'refused', options: { swapCategories: swap, maxEpochs: controlEpochs } },
    tenth: { expect: 'refused', options: { trainFraction: 0.1, maxEpochs: controlEpochs } },
    newCategory: { expect: 'promoted', options: {} },
  };

const figures: Record<string, unknown> = {
  backend: backend.name,
  net: `${served.name}/${served.version}`,
  gate: JSON.stringify(config.retrain.gate),
  regressionN: test.texts.length - operatorRows.length,
  labelActions: operatorRows.length,
  loadAverageAtStart: loadavg()[0],
};
let met = 0;
const names = values.cases.split(',');
for (const name of names) {
  const c = CASES[name];
  if (!c) throw new Error(`unknown case ${name}`);
  let probes: string[] = [];
  if (name === 'newCategory') {
    const questions = offTopicQuestions(Number(values['off-topic']));
    const labelled = questions.slice(0, Math.round(questions.length * 0.8));
    probes = questions.slice(labelled.length);
    for (const q of labelled) await storeAction(q, OFF_TOPIC, true);
    Object.assign(figures, {
      newCategoryLabelled: labelled.length,
      newCategoryLabelledHeldOut: labelled.filter((q) => isHeldOut(q, base.heldOutFraction)).length,
      newCategoryProbes: probes.length,
    });
  }
  resetCurrent();
  const started = performance.now();
  const run = await retrainClassifier(ctx, { ...base, ...c.options });
  const r = run.result!;
  const seconds = (performance.now() - started) / 1000;
  const p = (k: string, v: unknown) => {
    figures[`${name}${k}`] = v;
  };
  p('Expected', c.expect);
  p('LoadAverageAfter', loadavg()[0]);
  p('Decision', run.status);
  if (run.status === c.expect) met++;
  p('RetrainSeconds', seconds);
  p('TrainSeconds', r.trainSeconds);
  p('Epochs', r.history.length);
  p('FromScratch', r.data.fromScratch);
  p('TrainRows', r.data.trainRows);
  p('Labels', r.data.labels);
  for (const sv of r.verdict.sets ?? []) {
    const key = sv.name === 'held_out' ? 'HeldOut' : 'Regression';
    const f = sv.figures[0]!;
    p(`${key}N`, sv.n);
    p(`${key}OldMacroF1`, f.old);
    p(`${key}NewMacroF1`, f.new);
    p(`${key}MacroF1Delta`, f.delta);
    p(`${key}MacroF1Lo`, f.lo);
    p(`${key}MacroF1Hi`, f.hi);
    p(`${key}TextsLost`, sv.texts.lost);
    p(`${key}TextsGained`, sv.texts.gained);
    p(`${key}CategoriesTested`, sv.categories.length);
    p(
      `${key}CategoriesWorse`,
      sv.categories
        .filter((x) => x.verdict === 'worse')
        .map((x) => `${x.label} ${(x.old * 100).toFixed(1)}→${(x.new * 100).toFixed(1)}`)
        .join(', '),
    );
  }
  p('Reasons', run.reasons.join(' | '));
  p('Report', run.reportPath && relative(process.cwd(), run.reportPath));
  if (name === 'newCategory' && run.newVersion) {
    // The new category on texts operators never labelled.
    const net = ClassifierNet.load(join(dirs.nets, served.name, run.newVersion));
    const predicted = predictLabels(net, probes);
    p('ProbesRight', predicted.filter((l) => l === OFF_TOPIC).length / probes.length);
    const held = r.sets.find((s) => s.name === 'held_out')!;
    const cls = held.new.perClass.find((x) => x.label === OFF_TOPIC);
    p('HeldOutNewCategoryRecall', cls?.recall ?? null);
    net.dispose();
  }
  process.stderr.write(`case ${name}: ${run.status} (expected ${c.expect}) in ${seconds.toFixed(1)} s\n`);
}
figures.casesMet = `${met}/${names.length}`;
await store.close();
const command = `npm run bench:retrain${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const path = writeBenchResults('retrain', command, figures as Record<string, unknown>);
process.stdout.write(`${readFileSync(path, 'utf8')}written to ${path}\n`);
