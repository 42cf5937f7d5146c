import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/nets/backend.js';
import { ClassifierNet } from '../src/nets/classifier/classifier-net.js';
import { evaluateClassifier } from '../training/classifier/evaluate.js';
import { defaultClassifierOptions, trainClassifier } from '../training/classifier/train-classifier.js';
import { readLabelled } from '../training/data.js';
import { FASTTEXT_ARGS, hasFasttext, runFasttext } from './fasttext.js';
import { writeBenchResults } from './write-results.js';

type Figures = Record<string, number | string | boolean | null>;

/**
 * `npm run bench:classifier [-- --net nets/bank-classifier] [--data-dir DIR]`
 *
 * Trains the default classifier recipe on BANKING77 train (or, with --net, takes an existing
 * net), scores it on BANKING77 test, measures in-process latency on the active backend, and
 * runs Debian's fastText on the same train/test files when it is on PATH.
 */
const { values } = parseArgs({
  options: {
    net: { type: 'string' },
    'data-dir': { type: 'string', default: 'training/data/banking77' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
  },
});
const dataDir = values['data-dir'];
const cols = { textCol: 'text', labelCol: 'category' };
const trainFile = join(dataDir, 'train.csv');
const train = readLabelled(trainFile, cols);
const test = readLabelled(join(dataDir, 'test.csv'), cols);
const backend = await initBackend(values.backend as 'wasm');

let net: ClassifierNet;
let trainSeconds: number;
let trainedHere: boolean;
if (values.net) {
  net = ClassifierNet.load(values.net);
  trainSeconds = net.meta.metrics.trainSeconds ?? Number.NaN;
  trainedHere = false;
} else {
  const o = defaultClassifierOptions();
  const started = performance.now();
  process.stderr.write(`training the default recipe on ${train.texts.length} rows (${backend.name})...\n`);
  ({ net } = trainClassifier({
    ...o,
    train: { ...o.train, seed: Number(values.seed) },
    name: 'bank-classifier',
    data: train,
    dataFile: trainFile,
    onEpoch: (e) =>
      process.stderr.write(
        `  epoch ${e.epoch}: loss ${e.loss.toFixed(4)} val_acc ${(e.valAccuracy * 100).toFixed(2)}%\n`,
      ),
  }));
  trainSeconds = (performance.now() - started) / 1000;
  trainedHere = true;
}

const e = evaluateClassifier(net, test);
const figures: Figures = {
  dataset: 'BANKING77 (train.csv → test.csv)',
  backend: backend.name,
  net: values.net ?? 'trained by this run (default recipe)',
  trainedHere,
  n: e.n,
  accuracy: e.accuracy,
  macroF1: e.macroF1,
  ece: e.ece,
  sureShare: e.sureShare,
  sureAccuracy: e.sureAccuracy,
  trainSeconds,
  singleP50Ms: e.singleP50Ms,
  singleP99Ms: e.singleP99Ms,
  batch128Ms: e.batch128Ms,
  netBytes: [...net.toFiles().values()].reduce((s, f) => s + f.byteLength, 0),
};
if (hasFasttext()) {
  const tmp = join('bench', 'tmp', 'fasttext');
  const ft = runFasttext(train, test, tmp);
  figures.fasttextAccuracy = ft.accuracy;
  figures.fasttextTrainSeconds = ft.trainSeconds;
  figures.fasttextArgs = FASTTEXT_ARGS.join(' ');
  rmSync(tmp, { recursive: true, force: true });
} else {
  process.stderr.write('fasttext is not on PATH (apt-get install -y fasttext): skipping the baseline\n');
}
net.dispose();
const command = `npm run bench:classifier${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const path = writeBenchResults('classifier', command, figures);
process.stdout.write(`${readFileSync(path, 'utf8')}written to ${path}\n`);
