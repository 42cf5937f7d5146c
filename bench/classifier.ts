import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/nets/backend.js';
import { ClassifierNet } from '../src/nets/classifier/classifier-net.js';
import { evaluateByLanguage, languageFigures } from '../training/classifier/evaluate.js';
import { NOISY_TEST_RATES, noisyCopy } from '../training/classifier/noise.js';
import { trainFromFiles } from '../training/classifier/recipe.js';
import { versionName } from '../training/classifier/train-classifier.js';
import { type LabelledData, readLabelled } from '../training/data.js';
import { FASTTEXT_ARGS, hasFasttext, runFasttext } from './fasttext.js';
import { LOGREG_DESCRIPTION, TfidfLogReg } from './logreg.js';
import { writeBenchResults } from './write-results.js';

type Figures = Record<string, number | string | boolean | null>;

/**
 * `npm run bench:classifier [-- --net nets/bank-classifier] [--save nets/bank-classifier]`
 *
 * Trains the default classifier recipe from scratch on BANKING77 English + Russian train (or,
 * with --net, takes an existing net) and scores it on both test sets and on a seeded noisy copy
 * of each (typos, wrong layout, transliteration at stated rates). In the same run, two peers
 * trained on the Russian train file alone: Debian's fastText and a TF-IDF + logistic-regression
 * model (`bench/logreg.ts`); fastText also on English + Russian, for the training-time ratio.
 * With --save the trained net is saved as a new version (training is deterministic for a seed:
 * the saved net is the one measured).
 */
const { values } = parseArgs({
  options: {
    net: { type: 'string' },
    save: { type: 'string' },
    'en-dir': { type: 'string', default: 'training/data/banking77' },
    'ru-dir': { type: 'string', default: 'training/data/banking77-ru' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    'noise-seed': { type: 'string', default: '14' },
    'skip-peers': { type: 'boolean', default: false },
  },
});
const cols = { textCol: 'text', labelCol: 'category' };
const files = {
  enTrain: join(values['en-dir'], 'train.csv'),
  enTest: join(values['en-dir'], 'test.csv'),
  ruTrain: join(values['ru-dir'], 'train.csv'),
  ruTest: join(values['ru-dir'], 'test.csv'),
};
const enTrain = readLabelled(files.enTrain, cols);
const ruTrain = readLabelled(files.ruTrain, cols);
const enTest = readLabelled(files.enTest, cols);
const ruTest = readLabelled(files.ruTest, cols);
const noiseSeed = Number(values['noise-seed']);
const enNoisy = noisyCopy(enTest, NOISY_TEST_RATES, noiseSeed);
const ruNoisy = noisyCopy(ruTest, NOISY_TEST_RATES, noiseSeed + 1);
const both = (a: LabelledData, b: LabelledData): LabelledData => ({
  texts: [...a.texts, ...b.texts],
  labels: [...a.labels, ...b.labels],
});
const accuracyOf = (predicted: readonly string[], data: LabelledData) =>
  predicted.filter((p, i) => p === data.labels[i]).length / data.labels.length;
const log = (line: string) => process.stderr.write(`${line}\n`);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

const figures: Figures = {
  dataset:
    'BANKING77 English + BANKING77-ru (train.csv → test.csv each; Russian: CC BY 4.0 derivative, translation by AutoIntent-experiments)',
  noise: `every text one typo per ${NOISY_TEST_RATES.lettersPerTypo} letters (drop, double, swap, neighbouring key), then ${NOISY_TEST_RATES.wrongLayout * 100} % of texts typed in the wrong layout and ${NOISY_TEST_RATES.transliterated * 100} % (Russian only) transliterated; seed ${noiseSeed} (en), ${noiseSeed + 1} (ru)`,
};
const kinds = (k: string[]) => ({
  wrongLayout: k.filter((x) => x === 'wrong-layout').length,
  transliterated: k.filter((x) => x === 'transliterated').length,
});
figures.noisyRuWrongLayout = kinds(ruNoisy.kinds).wrongLayout;
figures.noisyRuTransliterated = kinds(ruNoisy.kinds).transliterated;
figures.noisyEnWrongLayout = kinds(enNoisy.kinds).wrongLayout;

const backend = await initBackend(values.backend as 'wasm');
figures.backend = backend.name;
let net: ClassifierNet;
if (values.net) {
  net = ClassifierNet.load(values.net);
  figures.net = `${net.location!.name}/${net.location!.version}`;
  figures.trainedHere = false;
  figures.trainSeconds = net.meta.metrics.trainSeconds ?? null;
} else {
  const started = performance.now();
  const trainFiles = [files.enTrain, files.ruTrain];
  log(`training the default recipe on ${trainFiles.join(' + ')} (${backend.name})...`);
  ({ net } = trainFromFiles({
    files: trainFiles,
    tests: [files.enTest, files.ruTest],
    name: 'bank-classifier',
    cols,
    seed: Number(values.seed),
    recipe: `npm run train -- classifier --data ${trainFiles.join(',')} --out nets/bank-classifier --seed ${values.seed}`,
    onEpoch: (e) =>
      log(
        `  epoch ${e.epoch}/${e.maxEpochs}: loss ${e.loss.toFixed(4)} val_acc ${pct(e.valAccuracy)} ${e.seconds.toFixed(0)} s`,
      ),
  }));
  figures.trainSeconds = (performance.now() - started) / 1000;
  figures.net = `trained by this run (default recipe, seed ${values.seed})`;
  figures.trainedHere = true;
  figures.bestEpoch = Number(net.meta.training.bestEpoch);
  figures.epochs = Number(net.meta.training.epochs);
  if (values.save) {
    const location = net.save(values.save, versionName(new Date()));
    figures.savedAs = `${location.name}/${location.version}`;
    log(`saved ${location.dir}`);
  }
}

log(`  trained in ${Number(figures.trainSeconds).toFixed(0)} s; scoring...`);
const clean = both(enTest, ruTest);
const e = evaluateByLanguage(net, clean);
Object.assign(figures, {
  n: e.n,
  accuracy: e.accuracy,
  macroF1: e.macroF1,
  accuracyEn: e.accuracyEn,
  accuracyRu: e.accuracyRu,
  macroF1En: e.macroF1En,
  macroF1Ru: e.macroF1Ru,
  ece: e.ece,
  sureShare: e.sureShare,
  sureAccuracy: e.sureAccuracy,
  singleP50Ms: e.singleP50Ms,
  singleP99Ms: e.singleP99Ms,
  batch128Ms: e.batch128Ms,
});
// Noisy copies: per-language figures keyed by the clean text's language.
for (const [lang, noisy, test] of [
  ['En', enNoisy, enTest],
  ['Ru', ruNoisy, ruTest],
] as const) {
  const predicted = net.predictBatch(noisy.texts).map((p) => p.category);
  const f = languageFigures(test.texts, predicted, noisy.labels, net.meta.labels);
  figures[`accuracy${lang}Noisy`] = f[`accuracy${lang}`]!;
  figures[`macroF1${lang}Noisy`] = f[`macroF1${lang}`]!;
  const byKind = (kind: string) => {
    const rows = [...noisy.kinds.keys()].filter((i) => noisy.kinds[i] === kind);
    return rows.length ? rows.filter((i) => predicted[i] === noisy.labels[i]).length / rows.length : null;
  };
  figures[`accuracy${lang}NoisyTyposOnly`] = byKind('typos');
  figures[`accuracy${lang}NoisyWrongLayout`] = byKind('wrong-layout');
  if (lang === 'Ru') figures.accuracyRuNoisyTransliterated = byKind('transliterated');
}
// The peers, after our net is trained and saved (they are quicker).
if (!values['skip-peers']) {
  if (hasFasttext()) {
    const tmp = join('bench', 'tmp', 'fasttext');
    log('fastText on Russian train...');
    const ru = runFasttext(ruTrain, [ruTest, ruNoisy], join(tmp, 'ru'));
    figures.fastTextAccuracyRu = ru.accuracies[0]!;
    figures.fastTextAccuracyRuNoisy = ru.accuracies[1]!;
    figures.fastTextTrainSecondsRu = ru.trainSeconds;
    log('fastText on English + Russian train...');
    const enru = runFasttext(both(enTrain, ruTrain), [enTest, ruTest, enNoisy, ruNoisy], join(tmp, 'enru'));
    figures.fastTextBilingualAccuracyEn = enru.accuracies[0]!;
    figures.fastTextBilingualAccuracyRu = enru.accuracies[1]!;
    figures.fastTextBilingualAccuracyEnNoisy = enru.accuracies[2]!;
    figures.fastTextBilingualAccuracyRuNoisy = enru.accuracies[3]!;
    figures.fastTextTrainSeconds = enru.trainSeconds;
    figures.fastTextArgs = `${FASTTEXT_ARGS.join(' ')} -thread 2 -seed 1`;
    rmSync(tmp, { recursive: true, force: true });
    log(
      `  fastText: ru ${pct(ru.accuracies[0]!)} (noisy ${pct(ru.accuracies[1]!)}), en+ru trained in ${enru.trainSeconds.toFixed(1)} s`,
    );
  } else {
    log('fasttext is not on PATH (apt-get install -y fasttext): skipping that peer');
  }
  log('TF-IDF + logistic regression on Russian train...');
  const started = performance.now();
  const peer = new TfidfLogReg().fit(ruTrain);
  figures.peerLogRegTrainSecondsRu = (performance.now() - started) / 1000;
  figures.peerLogRegAccuracyRu = accuracyOf(peer.predict(ruTest.texts), ruTest);
  figures.peerLogRegAccuracyRuNoisy = accuracyOf(peer.predict(ruNoisy.texts), ruNoisy);
  figures.peerLogRegFeatures = peer.features;
  figures.peerLogRegIterations = peer.iterations;
  figures.peerLogReg = LOGREG_DESCRIPTION;
  log(
    `  TF-IDF+LogReg: ru ${pct(figures.peerLogRegAccuracyRu)} (noisy ${pct(figures.peerLogRegAccuracyRuNoisy)}), ${peer.iterations} iterations, ${figures.peerLogRegTrainSecondsRu.toFixed(0)} s`,
  );
}

figures.noisyDropRu = (figures.accuracyRu as number) - (figures.accuracyRuNoisy as number);
if (typeof figures.peerLogRegAccuracyRu === 'number') {
  figures.accuracyRuMinusPeerLogReg = (figures.accuracyRu as number) - figures.peerLogRegAccuracyRu;
}
if (typeof figures.fastTextTrainSeconds === 'number' && typeof figures.trainSeconds === 'number') {
  figures.trainTimeRatio = figures.trainSeconds / figures.fastTextTrainSeconds;
}
figures.netBytes = [...net.toFiles().values()].reduce((s, f) => s + f.byteLength, 0);
net.dispose();
const command = `npm run bench:classifier${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const path = writeBenchResults('classifier', command, figures);
process.stdout.write(`${readFileSync(path, 'utf8')}written to ${path}\n`);
