import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import { type ColumnOptions, readLabelledFiles } from '../data.js';
import { dataLicence, makeProvenance, provenanceFile } from '../provenance.js';
import {
  autoMaxEpochs,
  type ClassifierTrainOptions,
  defaultClassifierOptions,
  sha256Files,
  trainClassifier,
} from './train-classifier.js';
import type { EpochReport, StepReport } from './trainer.js';

/** What a user sets for `npm run train -- classifier`; everything else is chosen by {@link trainFromFiles}. */
export interface RecipeInput {
  /** Training files (CSV or JSON Lines), read one after the other: English, Russian or both. */
  files: string[];
  /** Test files recorded in the net's provenance (role `test`); default: `test.*` beside each train file. */
  tests?: string[];
  /** The net's name (its folder under `nets/`). */
  name: string;
  cols: ColumnOptions;
  seed?: number;
  /** Default: {@link autoMaxEpochs} of the training rows. */
  maxEpochs?: number;
  /** False to train on the clean rows only. */
  augment?: boolean;
  /** How to re-run it, recorded in the provenance. */
  recipe: string;
  onStep?: (s: StepReport) => void;
  onEpoch?: (e: EpochReport) => void;
}

/** `test.csv` beside a `train.csv` (any name with "train" in it), or null when there is none. */
export function besideTestFile(file: string): string | null {
  const name = basename(file);
  if (!/train/i.test(name)) return null;
  const candidate = join(dirname(file), name.replace(/train/i, 'test'));
  return existsSync(candidate) && extname(candidate) === extname(file) ? candidate : null;
}

/**
 * The default classifier recipe on a desk's files: the defaults of {@link defaultClassifierOptions}
 * (bilingual text normalisation, noise augmentation, balanced class weights, early stopping,
 * temperature and unsure threshold fitted on a stratified 10 % validation split), epochs from the
 * data's size, and provenance (files with hashes, rows and licences; recipe; commit) in the meta.
 */
export function trainFromFiles(input: RecipeInput): {
  net: ClassifierNet;
  options: ClassifierTrainOptions;
  rows: number;
} {
  const tests = input.tests ?? input.files.map(besideTestFile).filter((f): f is string => f !== null);
  const data = readLabelledFiles(input.files, input.cols);
  const testRows = tests.map((f) => readLabelledFiles([f], input.cols).texts.length);
  const o = defaultClassifierOptions();
  const train = {
    ...o.train,
    maxEpochs: input.maxEpochs ?? autoMaxEpochs(data.texts.length * (1 - o.valFraction)),
  };
  if (input.seed !== undefined) train.seed = input.seed;
  const provenance = makeProvenance(input.recipe, [
    ...input.files.map((f, i) => provenanceFile('train', f, data.rows[i]!, dataLicence(f))),
    ...tests.map((f, i) => provenanceFile('test', f, testRows[i]!, dataLicence(f))),
  ]);
  const list = input.files.join(',');
  const options: ClassifierTrainOptions = {
    ...o,
    ...(input.augment === false ? { augment: null } : {}),
    train,
    name: input.name,
    data,
    dataFile: list,
    trainingData: { file: list, sha256: sha256Files(list), rows: data.texts.length },
    provenance,
    onStep: input.onStep,
    onEpoch: input.onEpoch,
  };
  const { net } = trainClassifier(options);
  return { net, options, rows: data.texts.length };
}
