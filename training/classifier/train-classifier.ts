import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { Weights } from '../../src/nets/classifier/forward.js';
import { calibratedSoftmax, predictLogits } from '../../src/nets/classifier/infer.js';
import type { ClassifierMeta } from '../../src/nets/classifier/meta.js';
import type { Topology, WeightSpec } from '../../src/nets/classifier/topology.js';
import type { Provenance } from '../../src/nets/provenance.js';
import { seededRandom } from '../../src/nets/random.js';
import {
  DEFAULT_VECTORISER_SETTINGS,
  Vectoriser,
  type VectoriserSettings,
} from '../../src/nets/vectoriser.js';
import { roundTrip } from '../../src/nets/weight-codec.js';
import type { LabelledData } from '../data.js';
import { chooseUnsureThreshold, confidences, expectedCalibrationError, fitTemperature } from './calibrate.js';
import { chooseCanary } from './canary.js';
import { classificationReport } from './metrics.js';
import { NOISY_TEST_RATES, type NoiseRates, noisyCopy } from './noise.js';
import { stratifiedSplit } from './split.js';
import { type EpochReport, type StepReport, type TrainSettings, trainWeights } from './trainer.js';

/** The architecture knobs (the rest of the topology follows from the data and vectoriser). */
export interface ArchitectureSettings {
  conv: { embedDim: number; widths: number[]; filters: number; maxLength: number } | null;
  /** log2 of the wide path's buckets, or null for no wide path. */
  wideBits: number | null;
}

/** Everything a classifier training run takes. */
export interface ClassifierTrainOptions {
  name: string;
  data: LabelledData;
  /** Path of the training file, recorded in meta.json with its SHA-256. */
  dataFile: string;
  /** What meta.json records as the training data, when `data` is more than the file (a retraining). */
  trainingData?: ClassifierMeta['trainingData'];
  vectoriser: VectoriserSettings;
  architecture: ArchitectureSettings;
  train: TrainSettings;
  /** Fraction of each class held out for early stopping and calibration. */
  valFraction: number;
  /**
   * The rows of `data` to validate on instead of a fresh stratified split: a retraining keeps
   * out the rows the previous version validated on, so the new version is calibrated on texts
   * neither version trained on.
   */
  valRows?: readonly number[];
  /**
   * Training on noise as customers type: a seeded noisy copy of every training row (typos,
   * wrong layout, transliteration at `rates`), of which a `fraction` is seen each epoch instead
   * of the clean row. Validation stays clean. Null or absent for none.
   */
  augment?: { fraction: number; rates: NoiseRates; seed: number } | null;
  /** Files, recipe and commit recorded in meta.json (`provenance`). */
  provenance?: Provenance;
  /** Precision the predictions above the unsure threshold must reach on validation. */
  unsurePrecision: number;
  now: () => Date;
  /** Starting values of a weight, given the sorted labels (fine-tuning a previous version); random when undefined. */
  init?: (spec: WeightSpec, labels: readonly string[]) => Float32Array | undefined;
  /**
   * Train each epoch on a sample of the rows: per row of `data`, its stratum (-1: seen every
   * epoch), and the rows drawn from the strata per epoch. Recorded in meta.json (`training.replay`).
   */
  replay?: { strata: Int32Array; rows: number };
  onStep?: (s: StepReport) => void;
  onEpoch?: (e: EpochReport) => void;
}

/** The defaults of `npm run train -- classifier`, chosen by measurement (docs/classifier.md). */
export const DEFAULT_ARCHITECTURE: ArchitectureSettings = {
  conv: { embedDim: 32, widths: [3, 4, 5], filters: 64, maxLength: 256 },
  wideBits: 16,
};

/** Default hyper-parameters of `npm run train -- classifier`. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  seed: 1,
  maxEpochs: 16,
  patience: 4,
  batchSize: 128,
  learningRate: 0.003,
  wideLearningRate: 0.02,
  l2: 0,
  wideL2: 0,
  dropout: 0.5,
  classWeightPower: 1,
  auxLossWeight: 1,
};

/**
 * The classifier's vectoriser: the shared defaults plus text normalisation 2 (wrong keyboard
 * layouts and transliterated Russian repaired before hashing, `src/nets/text-normalise.ts`).
 */
export const CLASSIFIER_VECTORISER_SETTINGS: VectoriserSettings = {
  ...DEFAULT_VECTORISER_SETTINGS,
  normalisation: 2,
};

/** Noise augmentation of the default recipe: a fifth of the rows seen noisy each epoch. */
export const DEFAULT_AUGMENT = { fraction: 0.2, rates: NOISY_TEST_RATES, seed: 7 };

/**
 * Epochs for a data set of `rows` training rows: a budget of about 180,000 examples seen (16
 * epochs of 11k rows, 10 of 18k), between 6 and 16; early stopping may end sooner.
 */
export function autoMaxEpochs(rows: number): number {
  return Math.max(6, Math.min(16, Math.ceil(180_000 / Math.max(1, rows))));
}

/** Default options apart from the data. */
export function defaultClassifierOptions(): Omit<ClassifierTrainOptions, 'name' | 'data' | 'dataFile'> {
  return {
    vectoriser: CLASSIFIER_VECTORISER_SETTINGS,
    architecture: DEFAULT_ARCHITECTURE,
    train: DEFAULT_TRAIN_SETTINGS,
    augment: DEFAULT_AUGMENT,
    valFraction: 0.1,
    unsurePrecision: 0.95,
    now: () => new Date(),
  };
}

/** Rounds weights through the storage codec, so the evaluated net is the stored one. */
function compact(weights: Weights): Weights {
  const out: Weights = {};
  for (const [name, w] of Object.entries(weights)) {
    out[name] = tf.tensor(roundTrip(w.dataSync() as Float32Array, w.shape), w.shape);
  }
  tf.dispose(Object.values(weights));
  return out;
}

/** Where a training run's time went, in seconds of wall time. */
export interface TrainPhases {
  /** Texts to features (the training rows, their noisy copies, validation). */
  featurise: number;
  /** Gradient steps of every epoch. */
  steps: number;
  /** Validation passes after each epoch (early stopping). */
  validate: number;
  /** Weights rounded through the codec, temperature and unsure threshold fitted, canary chosen. */
  calibrate: number;
}

/** Trains, calibrates and wraps a classifier (not yet saved). */
export function trainClassifier(o: ClassifierTrainOptions): {
  net: ClassifierNet;
  history: EpochReport[];
  phases: TrainPhases;
} {
  const started = performance.now();
  const labels = [...new Set(o.data.labels)].sort();
  if (labels.length < 2) throw new Error('training data must have at least two labels');
  const y = Int32Array.from(o.data.labels, (l) => labels.indexOf(l));
  const vectoriser = new Vectoriser(o.vectoriser);
  const feats = o.data.texts.map((t) => vectoriser.featurize(t));
  const split = o.valRows
    ? explicitSplit(y.length, o.valRows)
    : validationSplit(y, o.valFraction, o.train.seed);
  const pick = (idx: number[]) => ({
    feats: idx.map((i) => feats[i]!),
    labels: Int32Array.from(idx, (i) => y[i]!),
  });
  const train = pick(split.train);
  const val = pick(split.val);
  const a = o.architecture;
  const topology: Topology = {
    kind: 'neurodesk-text-classifier',
    version: 1,
    classes: labels.length,
    conv: a.conv ? { vocab: 2 ** vectoriser.settings.trigramBits, ...a.conv } : null,
    wide: a.wideBits !== null && vectoriser.settings.bag ? { vocab: 2 ** a.wideBits } : null,
  };
  let noisy: { feats: ReturnType<Vectoriser['featurize']>[]; fraction: number } | undefined;
  if (o.augment && o.augment.fraction > 0) {
    const rows = {
      texts: split.train.map((i) => o.data.texts[i]!),
      labels: split.train.map((i) => o.data.labels[i]!),
    };
    const copy = noisyCopy(rows, o.augment.rates, o.augment.seed);
    noisy = { feats: copy.texts.map((t) => vectoriser.featurize(t)), fraction: o.augment.fraction };
  }
  const featurised = performance.now();
  const replay = o.replay && {
    strata: Int32Array.from(split.train, (i) => o.replay!.strata[i]!),
    rows: o.replay.rows,
  };
  const result = trainWeights({
    topology,
    train,
    val,
    noisy,
    settings: o.train,
    init: o.init && ((spec) => o.init!(spec, labels)),
    replay,
    onStep: o.onStep,
    onEpoch: o.onEpoch,
  });
  const trained = performance.now();
  const weights = compact(result.weights);
  const idf = weights['wide/idf']?.dataSync() as Float32Array | undefined;
  const logits = predictLogits(topology, weights, val.feats, idf);
  const temperature = fitTemperature(logits, val.labels, labels.length);
  const valProbs = calibratedSoftmax(logits, labels.length, temperature);
  const rows = confidences(valProbs, val.labels, labels.length);
  const threshold = chooseUnsureThreshold(rows, o.unsurePrecision);
  const report = classificationReport(
    rows.map((_, i) => argmax(logits.subarray(i * labels.length, (i + 1) * labels.length))),
    val.labels,
    labels,
  );
  const sure = rows.filter((r) => r.conf >= threshold);
  const trainSeconds = (performance.now() - started) / 1000;
  const net = ClassifierNet.create(topology, weights, {
    kind: 'classifier',
    name: o.name,
    createdAt: o.now().toISOString(),
    vectoriser: vectoriser.settings,
    labels,
    temperature,
    unsureThreshold: threshold,
    unsureRule: `lowest confidence at which validation predictions at or above it are ≥ ${o.unsurePrecision * 100} % right`,
    metrics: {
      valAccuracy: report.accuracy,
      valMacroF1: report.macroF1,
      valEce: expectedCalibrationError(rows),
      valSureShare: sure.length / rows.length,
      valSureAccuracy: sure.length ? sure.filter((r) => r.right).length / sure.length : 0,
      trainRows: train.labels.length,
      valRows: val.labels.length,
      trainSeconds,
    },
    trainingData: o.trainingData ?? {
      file: o.dataFile,
      sha256: sha256Files(o.dataFile),
      rows: o.data.texts.length,
    },
    ...(o.provenance ? { provenance: o.provenance } : {}),
    training: {
      ...o.train,
      valFraction: o.valFraction,
      ...(o.augment && o.augment.fraction > 0 ? { augment: o.augment } : {}),
      ...(replay
        ? { replay: { rows: replay.rows, of: Array.from(replay.strata).filter((s) => s >= 0).length } }
        : {}),
      bestEpoch: result.bestEpoch,
      epochs: result.history.length,
    },
    canary: chooseCanary(
      split.val.map((i) => o.data.texts[i]!),
      val.labels,
      valProbs,
      labels,
    ),
  });
  const validate = result.history.reduce((a, e) => a + e.valSeconds, 0);
  return {
    net,
    history: result.history,
    phases: {
      featurise: (featurised - started) / 1000,
      steps: (trained - featurised) / 1000 - validate,
      validate,
      calibrate: (performance.now() - trained) / 1000,
    },
  };
}

/**
 * SHA-256 of a training file, or of several (`a.csv,b.csv`, as `trainingData.file` records the
 * files a net was trained on together): the hash of their bytes one after the other.
 */
export function sha256Files(list: string): string {
  const hash = createHash('sha256');
  for (const file of list.split(',')) hash.update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * The validation split a training run carves out of its data: the same fraction of every
 * label (labels sorted), drawn with a source seeded from the training seed. Exported so a
 * retraining can find the rows the version in service validated on.
 */
export function validationSplit(
  y: Int32Array,
  fraction: number,
  seed: number,
): { train: number[]; val: number[] } {
  return stratifiedSplit(y, fraction, seededRandom(seed ^ 0x9e3779b9));
}

function explicitSplit(n: number, valRows: readonly number[]): { train: number[]; val: number[] } {
  const val = new Set(valRows);
  return { train: [...Array(n).keys()].filter((i) => !val.has(i)), val: [...val] };
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** A version name from a time: `YYYYMMDD-HHMMSS` (UTC), sortable. */
export function versionName(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
