import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { initBackend } from '../src/nets/backend.js';
import { openSqliteStore } from '../src/store/index.js';
import { answerFor, readKb } from '../training/qa/pairs.js';
import { botNets } from '../training/retrain/bot-nets.js';
import type { gateSummary } from '../training/retrain/gate.js';
import { type QaRetrainOptions, retrainQa } from '../training/retrain/retrain-qa.js';
import { prepareRetrainBench, storeOperatorAction } from './retrain-setup.js';
import { writeBenchResults } from './write-results.js';

/**
 * `npm run bench:retrain-qa [-- --net nets/bank-qa] [--max-epochs N] [--no-noise-floor] [--no-control]`
 *
 * The Q/A retraining of the committed two-tower net, measured. Operators are simulated on
 * BANKING77 test, split as `bench:retrain` splits it (the same seeded shuffle): each question
 * of the first half is answered with its category's answer of the bank knowledge base (as an
 * accepted suggestion); the second half is the fixed regression set, ranked against the same
 * knowledge base. The version in service is fine-tuned once on those pairs (the gate's
 * intervals recorded), once more as a dry run with another seed (the run-to-run noise), and the
 * same pairs with shuffled answers are trained from scratch: a control the gate must refuse.
 */
const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'nets/bank-qa' },
    kb: { type: 'string', default: 'training/data/bank-kb/answers.jsonl' },
    'max-epochs': { type: 'string' },
    'no-noise-floor': { type: 'boolean', default: false },
    'no-control': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
  },
});
const { dirs, test, operatorRows, regressionFile, resetCurrent } = prepareRetrainBench(
  'retrain-qa',
  values.net,
  'qa',
);
const kb = readKb(values.kb);

let at = Date.parse('2026-11-01T00:00:00Z');
// Simulated actions are stored at their own times; everything else at the real time.
let simulating = false;
const store = openSqliteStore(join(dirs.data, 'neurodesk.db'), {
  clock: { now: () => (simulating ? at : Date.now()) },
});
await store.knowledgeBase.insertMany(
  kb.map((a) => ({ kb: 'default', text: a.text, category: a.category, language: a.language, active: true })),
);
simulating = true;
for (const i of operatorRows) {
  at += 60_000;
  const text = test.texts[i]!;
  const answer = kb[answerFor(kb, test.labels[i]!, text)]!.text;
  await storeOperatorAction(store, at, text, {
    action: 'accept_suggestion',
    category: test.labels[i]!,
    text: answer,
  });
}
simulating = false;

const backend = await initBackend(values.backend as 'wasm');
const config = loadConfig({});
const ctx = {
  labels: store.labels,
  runs: store.trainingRuns,
  netsDir: dirs.nets,
  netsCacheBytes: config.nets.cacheBytes,
  reportsDir: join(dirs.data, 'training-reports'),
  qaOf: (b: string) => {
    const nets = botNets(dirs.bots, b);
    return { net: nets.qa, kb: nets.kb };
  },
  kbAnswers: async (name: string) =>
    (await store.knowledgeBase.list({ kb: name, active: true, limit: 1_000_000, offset: 0 })).answers.map(
      (a) => ({
        id: a.id,
        text: a.text,
        category: a.category,
        createdAt: a.createdAt,
      }),
    ),
  now: () => new Date(),
  io: { out: process.stdout, err: process.stderr },
  backend: backend.name,
};
const base: QaRetrainOptions = {
  bot: 'bank-support',
  dryRun: false,
  heldOutFraction: config.retrain.heldOutFraction,
  gate: config.retrain.gate,
  regressionFile,
  maxEpochs: values['max-epochs'] === undefined ? undefined : Number(values['max-epochs']),
};

const figures: Record<string, unknown> = { backend: backend.name, gate: JSON.stringify(config.retrain.gate) };
const started = performance.now();
const run = await retrainQa(ctx, base);
const runRow = (await store.trainingRuns.get(run.runId))!;
type Metrics = {
  sets: Array<{ name: string; n: number; old: Record<string, number>; new: Record<string, number> }>;
  epochs: number;
  trainSeconds: number;
  gate: ReturnType<typeof gateSummary>;
};
const metrics = runRow.metrics as Metrics;
/** Each set's deciding figures with their intervals, and the categories found worse. */
const intervals = (m: Metrics, prefix = '') =>
  Object.fromEntries(
    m.gate.flatMap((s) => {
      const set = s.name === 'held_out' ? 'heldOut' : 'regression';
      return [
        ...s.figures.flatMap((f) => {
          const k = `${prefix}${set}${f.key === 'top1' ? 'Top1' : 'Mrr'}`;
          return [
            [`${k}Lo`, f.lo],
            [`${k}Hi`, f.hi],
          ];
        }),
        [`${prefix}${set}CategoriesTested`, s.categoriesTested],
        [`${prefix}${set}CategoriesWorse`, s.categoriesWorse.join(', ')],
      ];
    }),
  );
const set = (name: string) => metrics.sets.find((s) => s.name === name)!;
figures.loadAverageAtStart = loadavg()[0];
Object.assign(figures, {
  pairs: operatorRows.length,
  kbAnswers: kb.length,
  heldOutN: set('held_out').n,
  regressionN: set('regression').n,
  retrainSeconds: (performance.now() - started) / 1000,
  trainSeconds: metrics.trainSeconds,
  epochs: metrics.epochs,
  decision: run.status,
  reasons: run.reasons.join(' | '),
  heldOutOldTop1: set('held_out').old.top1,
  heldOutNewTop1: set('held_out').new.top1,
  heldOutOldMrr: set('held_out').old.mrr,
  heldOutNewMrr: set('held_out').new.mrr,
  regressionOldTop1: set('regression').old.top1,
  regressionNewTop1: set('regression').new.top1,
  regressionOldMrr: set('regression').old.mrr,
  regressionNewMrr: set('regression').new.mrr,
  report: run.reportPath && relative(process.cwd(), run.reportPath),
  ...intervals(metrics),
});

if (!values['no-control']) {
  // The control the gate must refuse: the same pairs with their answers shuffled, from scratch.
  resetCurrent();
  const t0 = performance.now();
  const control = await retrainQa(ctx, { ...base, shuffleLabels: true });
  const m = (await store.trainingRuns.get(control.runId))!.metrics as Metrics;
  const reg = m.sets.find((s) => s.name === 'regression')!;
  Object.assign(figures, {
    shuffledSeconds: (performance.now() - t0) / 1000,
    shuffledDecision: control.status,
    shuffledRegressionTop1: reg.new.top1,
    shuffledReasons: control.reasons.join(' | '),
    ...intervals(m, 'shuffled_'),
  });
}

if (!values['no-noise-floor']) {
  // The same pairs, another seed: how far two fine-tunes on identical data differ.
  resetCurrent();
  const t0 = performance.now();
  const noise = await retrainQa(ctx, { ...base, dryRun: true, force: 'noise floor', seed: 2 });
  const m = (await store.trainingRuns.get(noise.runId))!.metrics as Metrics;
  const reg = m.sets.find((s) => s.name === 'regression')!;
  Object.assign(figures, {
    noiseSeconds: (performance.now() - t0) / 1000,
    noiseRegressionTop1Delta: reg.new.top1! - (set('regression').new.top1 ?? 0),
    noiseRegressionTop1: reg.new.top1,
  });
}
await store.close();
console.log(JSON.stringify(figures, null, 2));
console.log(`written to ${writeBenchResults('retrain-qa', 'npm run bench:retrain-qa', figures)}`);
