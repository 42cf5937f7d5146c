import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { computeIdf } from '../../src/nets/classifier/batch.js';
import type { Weights } from '../../src/nets/classifier/forward.js';
import type { Provenance } from '../../src/nets/provenance.js';
import { embedFeatures } from '../../src/nets/qa/encode.js';
import { contentTerms, termIdf } from '../../src/nets/qa/lexical.js';
import { QaNet } from '../../src/nets/qa/qa-net.js';
import { COSINE_ONLY, type Scoring } from '../../src/nets/qa/scoring.js';
import type { QaTopology, Tower } from '../../src/nets/qa/topology.js';
import {
  DEFAULT_VECTORISER_SETTINGS,
  type Features,
  Vectoriser,
  type VectoriserSettings,
} from '../../src/nets/vectoriser.js';
import { roundTrip } from '../../src/nets/weight-codec.js';
import { chooseUnsureThreshold } from '../classifier/calibrate.js';
import { fitScoring } from './combine.js';
import {
  type Embedder,
  type EvalSet,
  pairFeatures,
  rankingFigures,
  setTerms,
  topAnswers,
} from './eval-set.js';
import { type QaEpochReport, type QaStepReport, type QaTrainSettings, trainQaWeights } from './trainer.js';

/** Training pairs: each question with its right answer and its wrong candidates (indices into `answers`). */
export interface QaExamples {
  questions: string[];
  positives: Int32Array;
  negatives: Int32Array[];
  answers: string[];
}

/** The architecture knobs. */
export interface QaArchitecture {
  dim: number;
  share: QaTopology['share'];
  conv: {
    embedDim: number;
    widths: number[];
    filters: number;
    maxLength: number;
    answerMaxLength: number;
  } | null;
  /** log2 of the n-gram table's rows, or null for no wide path. */
  wideBits: number | null;
  /** log2 of the lexical term buckets, or null for no overlap features. */
  lexicalBits: number | null;
}

/** Everything a two-tower training run takes. */
export interface QaTrainOptions {
  name: string;
  train: QaExamples;
  /** Early stopping, the scoring fit and the answer threshold are chosen on this set. */
  val: EvalSet;
  /** The figure early stopping follows: MAP (ranking lists) or top-1 accuracy (a knowledge base). */
  valMetric: 'map' | 'top1';
  /** Files the data came from, recorded in meta.json with their SHA-256. */
  dataFiles: Array<{ file: string; rows: number }>;
  /** Files by role (train, kb, test), recipe and commit, recorded in meta.json. */
  provenance?: Provenance;
  vectoriser: VectoriserSettings;
  architecture: QaArchitecture;
  settings: QaTrainSettings;
  /** Precision the top answers at or above the threshold must reach on validation. */
  thresholdPrecision: number;
  now: () => Date;
  /**
   * Fine-tune these weights (of a net with the same topology and vectoriser) instead of
   * training from random ones; their IDF tables are kept, so the inputs keep their scale.
   */
  init?: Weights;
  onStep?: (s: QaStepReport) => void;
  onEpoch?: (e: QaEpochReport) => void;
}

/** The default architecture of `npm run train -- qa` (docs/qa.md says how it was chosen). */
export const DEFAULT_QA_ARCHITECTURE: QaArchitecture = {
  dim: 128,
  share: 'tables',
  conv: { embedDim: 32, widths: [3, 4, 5], filters: 64, maxLength: 256, answerMaxLength: 256 },
  wideBits: 15,
  lexicalBits: 18,
};

/** Default hyper-parameters of `npm run train -- qa`. */
export const DEFAULT_QA_SETTINGS: QaTrainSettings = {
  seed: 1,
  maxEpochs: 16,
  patience: 4,
  batchSize: 128,
  learningRate: 0.003,
  wideLearningRate: 0.01,
  dropout: 0.3,
  scale: 20,
  hardNegatives: 4,
  allAnswers: false,
  answerGroup: 64,
};

/** Default options apart from the data. */
export function defaultQaOptions(): Pick<
  QaTrainOptions,
  'vectoriser' | 'architecture' | 'settings' | 'thresholdPrecision' | 'now'
> {
  return {
    // New nets repair wrong keyboard layouts and transliterated Russian before featurising.
    vectoriser: { ...DEFAULT_VECTORISER_SETTINGS, normalisation: 2 },
    architecture: DEFAULT_QA_ARCHITECTURE,
    settings: DEFAULT_QA_SETTINGS,
    thresholdPrecision: 0.95,
    now: () => new Date(),
  };
}

/** Rounds weights through the storage codec, so the evaluated net is the stored one. */
function compact(weights: Weights): Weights {
  const out: Weights = {};
  for (const [name, w] of Object.entries(weights))
    out[name] = tf.tensor(roundTrip(w.dataSync() as Float32Array, w.shape), w.shape);
  tf.dispose(Object.values(weights));
  return out;
}

/** Content terms as the served net will compute them (same seed, length cap and normalisation). */
function lexicalTerms(vectoriser: Vectoriser, text: string, bits: number): Int32Array {
  const v = vectoriser.settings;
  return contentTerms(text, v.seed, bits, v.maxChars, v.normalisation ?? 1);
}

/** An {@link Embedder} over featurised texts and weights in training (no net object needed). */
function trainingEmbedder(
  t: QaTopology,
  w: Weights,
  feats: Map<string, Features>,
  vectoriser: Vectoriser,
  bagIdf: Float32Array | undefined,
  lexIdf: Float32Array,
): Embedder {
  const featsOf = (text: string) => feats.get(text) ?? vectoriser.featurize(text);
  return {
    dim: t.dim,
    embed: (texts: readonly string[], tower: Tower) => embedFeatures(t, w, tower, texts.map(featsOf), bagIdf),
    terms: (text) => (t.lexical ? lexicalTerms(vectoriser, text, t.lexical.bits) : new Int32Array(0)),
    termIdf: lexIdf,
  };
}

/** Trains, fits the served scoring and threshold, and wraps a two-tower net (not yet saved). */
export function trainQa(o: QaTrainOptions): { net: QaNet; history: QaEpochReport[] } {
  const started = performance.now();
  const vectoriser = new Vectoriser(o.vectoriser);
  const a = o.architecture;
  const topology: QaTopology = {
    kind: 'neurodesk-two-tower',
    version: 1,
    dim: a.dim,
    share: a.share,
    conv: a.conv ? { vocab: 2 ** vectoriser.settings.trigramBits, ...a.conv } : null,
    wide: a.wideBits !== null && vectoriser.settings.bag ? { vocab: 2 ** a.wideBits } : null,
    lexical: a.lexicalBits !== null ? { bits: a.lexicalBits } : null,
  };
  const feats = new Map<string, Features>();
  const featurize = (text: string) => {
    let f = feats.get(text);
    if (!f) {
      f = vectoriser.featurize(text);
      feats.set(text, f);
    }
    return f;
  };
  const questions = o.train.questions.map(featurize);
  const answers = o.train.answers.map(featurize);
  for (const text of [...o.val.questions, ...o.val.answers]) featurize(text);
  const trainTexts = [...new Set([...o.train.questions, ...o.train.answers])];
  const kept = (name: string) =>
    o.init?.[name] ? (o.init[name]!.dataSync() as Float32Array).slice() : undefined;
  const bagIdf = topology.wide
    ? (kept('wide/idf') ?? computeIdf(trainTexts.map(featurize), topology.wide.vocab))
    : undefined;
  const lexIdf = topology.lexical
    ? (kept('lexical/idf') ??
      termIdf(
        trainTexts.map((t) => lexicalTerms(vectoriser, t, topology.lexical!.bits)),
        topology.lexical.bits,
      ))
    : new Float32Array(0);
  let valTerms: ReturnType<typeof setTerms> | undefined;
  const evaluate = (w: Weights) => {
    const embedder = trainingEmbedder(topology, w, feats, vectoriser, bagIdf, lexIdf);
    valTerms ??= setTerms(embedder, o.val);
    const features = pairFeatures(embedder, o.val, valTerms);
    const scoring: Scoring = topology.lexical ? fitScoring(features, true) : COSINE_ONLY;
    return { features, scoring, figures: rankingFigures(features, scoring) };
  };
  const result = trainQaWeights({
    topology,
    questions,
    positives: o.train.positives,
    negatives: o.train.negatives,
    answers,
    bagIdf,
    lexicalIdf: topology.lexical ? lexIdf : undefined,
    settings: o.settings,
    init: o.init,
    validate: (w) => evaluate(w).figures[o.valMetric],
    onStep: o.onStep,
    onEpoch: o.onEpoch,
  });
  const weights = compact(result.weights);
  const cosine = evaluate(weights);
  const scoring = fitScoring(cosine.features, topology.lexical !== null);
  const figures = rankingFigures(cosine.features, scoring);
  const tops = topAnswers(cosine.features, scoring);
  const threshold = chooseUnsureThreshold(tops, o.thresholdPrecision);
  const sure = tops.filter((t) => t.conf >= threshold);
  const embedder = trainingEmbedder(topology, weights, feats, vectoriser, bagIdf, lexIdf);
  const canary = [
    ...o.val.questions.slice(0, 2).map((text) => ({ tower: 'question' as const, text })),
    ...o.val.answers.slice(0, 2).map((text) => ({ tower: 'answer' as const, text })),
  ].map((g) => ({ ...g, vector: Array.from(embedder.embed([g.text], g.tower)) }));
  const net = QaNet.create(topology, weights, {
    kind: 'qa',
    name: o.name,
    createdAt: o.now().toISOString(),
    vectoriser: vectoriser.settings,
    scale: o.settings.scale,
    scoring,
    threshold,
    thresholdRule: `lowest score at which validation top answers at or above it are ≥ ${o.thresholdPrecision * 100} % right`,
    canary,
    metrics: {
      valMap: figures.map,
      valMrr: figures.mrr,
      valTop1: figures.top1,
      valTop3: figures.top3,
      valCosineMap: rankingFigures(cosine.features, COSINE_ONLY).map,
      valCosineTop1: rankingFigures(cosine.features, COSINE_ONLY).top1,
      valSureShare: sure.length / Math.max(1, tops.length),
      valSureAccuracy: sure.length ? sure.filter((t) => t.right).length / sure.length : 0,
      trainQuestions: o.train.questions.length,
      valQuestions: o.val.questions.length,
      trainSeconds: (performance.now() - started) / 1000,
    },
    trainingData: {
      files: o.dataFiles.map((f) => ({
        file: f.file,
        rows: f.rows,
        sha256: createHash('sha256').update(readFileSync(f.file)).digest('hex'),
      })),
    },
    training: { ...o.settings, bestEpoch: result.bestEpoch, epochs: result.history.length },
    ...(o.provenance ? { provenance: o.provenance } : {}),
  });
  return { net, history: result.history };
}
