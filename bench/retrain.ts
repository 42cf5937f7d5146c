import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/core/ports.js';
import { initBackend } from '../src/nets/backend.js';
import { seededRandom } from '../src/nets/random.js';
import { closeDatabase, createStore, openDatabase } from '../src/store/index.js';
import { botNets } from '../training/retrain/bot-nets.js';
import type { SetComparison } from '../training/retrain/compare.js';
import { type ClassifierRetrainOptions, retrainClassifier } from '../training/retrain/retrain-classifier.js';
import { prepareRetrainBench } from './retrain-setup.js';
import { writeBenchResults } from './write-results.js';

/**
 * `npm run bench:retrain [-- --net nets/bank-classifier] [--mode both|fine-tune|scratch] [--max-epochs N] [--no-noise-floor]`
 *
 * The full retraining of the default classifier, measured. Operators are simulated on
 * BANKING77 test: its first half (by a seeded shuffle) becomes 1,540 operator actions with the
 * true category (70 % replies that left the category standing, 30 % corrections, 3 % repeated
 * with other spacing and case), the second half is the fixed regression set. The committed net
 * is the version in service. Each mode (fine-tuning the version in service, the default, and
 * training from scratch) runs once with the labels, then once more as a dry run on the base data
 * alone with another seed: how far two trainings on the same data differ (the noise the gate's
 * thresholds must allow).
 */
const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'nets/bank-classifier' },
    'max-epochs': { type: 'string' },
    'no-noise-floor': { type: 'boolean', default: false },
    mode: { type: 'string', default: 'both' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const { dirs, served, test, operatorRows, regressionFile, resetCurrent } = prepareRetrainBench(
  'retrain',
  values.net,
  'classifier',
);
const dbPath = join(dirs.data, 'neurodesk.db');
const db = openDatabase(dbPath);
const rng = seededRandom(8);
const insert = db.transaction(() => {
  let at = Date.parse('2026-11-01T00:00:00Z');
  const one = (text: string, category: string) => {
    at += 60_000;
    const conv = db
      .prepare(
        `INSERT INTO conversations (bot, channel, external_chat_id, created_at, updated_at) VALUES ('bank-support', 'rest', ?, ?, ?)`,
      )
      .run(`bench-${at}`, at, at).lastInsertRowid;
    const msg = db
      .prepare(
        `INSERT INTO messages (conversation_id, direction, author, channel, text, created_at) VALUES (?, 'in', 'customer', 'rest', ?, ?)`,
      )
      .run(conv, text, at).lastInsertRowid;
    const correction = rng.next() < 0.3;
    db.prepare(
      `INSERT INTO operator_actions (conversation_id, message_id, operator, action, category, text, created_at)
       VALUES (?, ?, 'bench', ?, ?, ?, ?)`,
    ).run(conv, msg, correction ? 'correct_category' : 'reply', category, correction ? null : 'answer', at);
  };
  for (const i of operatorRows) {
    one(test.texts[i]!, test.labels[i]!);
    if (rng.next() < 0.03) one(`  ${test.texts[i]!.toUpperCase()} `, test.labels[i]!);
  }
});
insert();

const backend = await initBackend(values.backend as 'wasm');
const store = createStore(db, systemClock);
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
  maxEpochs: values['max-epochs'] === undefined ? undefined : Number(values['max-epochs']),
};

/** Per-category F1 changes on a set: the largest drop, and how many fell by more than 5 and 10 points. */
function drops(set: SetComparison | undefined, minSupport: number) {
  if (!set || set.n === 0) return { worst: null, over5: 0, over10: 0 };
  const old = new Map(set.old.perClass.map((c) => [c.label, c.f1]));
  const moves = set.new.perClass
    .filter((c) => c.support >= minSupport)
    .map((c) => ({ label: c.label, d: (c.f1 - (old.get(c.label) ?? 0)) * 100 }));
  moves.sort((a, b) => a.d - b.d);
  return {
    worst: moves[0] ? `${moves[0].label} ${moves[0].d.toFixed(2)}` : null,
    over5: moves.filter((m) => m.d < -5).length,
    over10: moves.filter((m) => m.d < -10).length,
  };
}

const figures: Record<string, unknown> = { backend: backend.name, gate: JSON.stringify(config.retrain.gate) };
const modes =
  values.mode === 'both'
    ? (['fineTune', 'scratch'] as const)
    : ([values.mode === 'scratch' ? 'scratch' : 'fineTune'] as const);

for (const mode of modes) {
  resetCurrent();
  const started = performance.now();
  const run = await retrainClassifier(ctx, { ...base, fromScratch: mode === 'scratch' });
  const r = run.result!;
  const reg = r.sets.find((s) => s.name === 'regression')!;
  const held = r.sets.find((s) => s.name === 'held_out')!;
  const d = drops(reg, config.retrain.gate.minCategorySupport);
  Object.assign(figures, {
    trainRows: r.data.trainRows,
    labels: r.data.labels,
    labelActions: r.data.labelStats.actions,
    heldOutN: held.n,
    regressionN: reg.n,
    heldOutOldMacroF1: held.old.macroF1,
    regressionOldMacroF1: reg.old.macroF1,
    regressionOldAccuracy: reg.old.accuracy,
    [`${mode}RetrainSeconds`]: (performance.now() - started) / 1000,
    [`${mode}TrainSeconds`]: r.trainSeconds,
    [`${mode}Epochs`]: r.history.length,
    [`${mode}Decision`]: run.status,
    [`${mode}Reasons`]: run.reasons.join(' | '),
    [`${mode}HeldOutNewMacroF1`]: held.new.macroF1,
    [`${mode}HeldOutNewAccuracy`]: held.new.accuracy,
    [`${mode}RegressionNewMacroF1`]: reg.new.macroF1,
    [`${mode}RegressionNewAccuracy`]: reg.new.accuracy,
    [`${mode}RegressionWorstCategoryDrop`]: d.worst,
    [`${mode}RegressionCategoriesDropOver5`]: d.over5,
    [`${mode}RegressionCategoriesDropOver10`]: d.over10,
    [`${mode}Report`]: run.reportPath && relative(process.cwd(), run.reportPath),
  });
  if (run.newVersion) {
    // Calibration of the new version (validation rows that neither version trained on).
    const meta = JSON.parse(readFileSync(join(dirs.nets, served.name, run.newVersion, 'meta.json'), 'utf8'));
    Object.assign(figures, {
      [`${mode}ValAccuracy`]: meta.metrics.valAccuracy,
      [`${mode}Temperature`]: meta.temperature,
      [`${mode}UnsureThreshold`]: meta.unsureThreshold,
      [`${mode}ValSureShare`]: meta.metrics.valSureShare,
      [`${mode}ValSureAccuracy`]: meta.metrics.valSureAccuracy,
    });
  }
}

if (!values['no-noise-floor']) {
  // Same data as the net in service, another seed: the run-to-run noise of a retraining.
  db.exec('DELETE FROM operator_actions');
  for (const mode of modes) {
    resetCurrent();
    const t0 = performance.now();
    const noise = await retrainClassifier(ctx, {
      ...base,
      fromScratch: mode === 'scratch',
      dryRun: true,
      force: 'noise floor',
      seed: 2,
    });
    const n = noise.result!.sets.find((s) => s.name === 'regression')!;
    const d = drops(n, config.retrain.gate.minCategorySupport);
    Object.assign(figures, {
      [`${mode}NoiseSeconds`]: (performance.now() - t0) / 1000,
      [`${mode}NoiseMacroF1Delta`]: n.new.macroF1 - n.old.macroF1,
      [`${mode}NoiseAccuracyDelta`]: n.new.accuracy - n.old.accuracy,
      [`${mode}NoiseWorstCategoryDrop`]: d.worst,
      [`${mode}NoiseCategoriesDropOver5`]: d.over5,
      [`${mode}NoiseCategoriesDropOver10`]: d.over10,
      [`${mode}NoiseWouldPass`]: noise.result!.verdict.pass,
    });
  }
}
closeDatabase(db);
const command = `npm run bench:retrain${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const path = writeBenchResults('retrain', command, figures as Record<string, unknown>);
process.stdout.write(`${readFileSync(path, 'utf8')}written to ${path}\n`);
