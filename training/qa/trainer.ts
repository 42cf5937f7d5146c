import * as tf from '@tensorflow/tfjs';
import { disposeBatch, makeBatch } from '../../src/nets/classifier/batch.js';
import type { Weights } from '../../src/nets/classifier/forward.js';
import { linear } from '../../src/nets/ops.js';
import { towerForward, towerShape } from '../../src/nets/qa/encode.js';
import { type QaTopology, qaWeightSpecs } from '../../src/nets/qa/topology.js';
import { gaussian, glorot, type Random, seededRandom, shuffle } from '../../src/nets/random.js';
import type { Features } from '../../src/nets/vectoriser.js';
import { lengthBatches } from '../classifier/trainer.js';

/** Hyper-parameters of one two-tower training run. */
export interface QaTrainSettings {
  seed: number;
  maxEpochs: number;
  /** Stop after this many epochs without a better validation figure. */
  patience: number;
  /** Questions per step. */
  batchSize: number;
  learningRate: number;
  /** Adam's learning rate for the n-gram table (sparse, L2-normalised inputs want a larger step). */
  wideLearningRate: number;
  dropout: number;
  /** Softmax scale: logits = scale × cosine. */
  scale: number;
  /** Hard negatives drawn per question per step from its own wrong candidates. */
  hardNegatives: number;
  /** Softmax over every answer at each step instead of the batch's (a small knowledge base). */
  allAnswers: boolean;
  /** Answers per answer-tower pass (texts of similar length are grouped). */
  answerGroup: number;
}

/** Progress within an epoch. */
export interface QaStepReport {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
}

/** One epoch's figures. */
export interface QaEpochReport {
  epoch: number;
  maxEpochs: number;
  loss: number;
  /** The validation figure early stopping follows (MAP or top-1 accuracy). */
  val: number;
  seconds: number;
}

/** Featurised training examples: each question with its right answer and wrong candidates. */
export interface QaTrainInput {
  topology: QaTopology;
  questions: Features[];
  /** The right answer of each question (index into `answers`). */
  positives: Int32Array;
  /** Wrong candidates of each question (indices into `answers`), possibly empty. */
  negatives: Int32Array[];
  answers: Features[];
  bagIdf?: Float32Array;
  lexicalIdf?: Float32Array;
  settings: QaTrainSettings;
  /**
   * Weights to start from instead of random ones (a retraining fine-tunes the version in
   * service); copied, never changed. Shapes must match the topology.
   */
  init?: Weights;
  /** The validation figure of the current weights (higher is better). */
  validate: (weights: Weights) => number;
  onStep?: (s: QaStepReport) => void;
  onEpoch?: (e: QaEpochReport) => void;
}

/** The best weights found (by the validation figure) and the history. */
export interface QaTrainResult {
  weights: Weights;
  history: QaEpochReport[];
  bestEpoch: number;
}

/** Initial weights: small random tables (a zero n-gram table shared by both towers would be a saddle point). */
export function initQaWeights(
  t: QaTopology,
  rng: Random,
  bagIdf?: Float32Array,
  lexicalIdf?: Float32Array,
): Weights {
  const w: Weights = {};
  for (const spec of qaWeightSpecs(t)) {
    const size = spec.shape.reduce((a, n) => a * n, 1);
    let values: Float32Array;
    if (spec.name === 'wide/idf') values = bagIdf ?? new Float32Array(size).fill(1);
    else if (spec.name === 'lexical/idf') values = lexicalIdf ?? new Float32Array(size).fill(1);
    else if (spec.name.endsWith('conv/embedding'))
      values = Float32Array.from({ length: size }, () => gaussian(rng) * 0.1);
    else if (spec.name.endsWith('wide/dense'))
      values = Float32Array.from({ length: size }, () => gaussian(rng) * 0.05);
    else if (spec.name.includes('kernel') || spec.name.endsWith('conv/dense'))
      values = glorot(rng, spec.shape);
    else values = new Float32Array(size);
    w[spec.name] = spec.trainable
      ? tf.variable(tf.tensor(values, spec.shape), true, spec.name)
      : tf.tensor(values, spec.shape);
  }
  return w;
}

/** Trainable copies of given weights (a fine-tune's start), checked against the topology's shapes. */
function startFrom(t: QaTopology, init: Weights): Weights {
  const w: Weights = {};
  for (const spec of qaWeightSpecs(t)) {
    const from = init[spec.name];
    if (!from || from.shape.join('x') !== spec.shape.join('x'))
      throw new Error(`cannot start from the given weights: ${spec.name} is missing or of another shape`);
    w[spec.name] = spec.trainable ? tf.variable(from.clone(), true, spec.name) : from.clone();
  }
  return w;
}

/**
 * Batches of a set of answers grouped by length (built outside the gradient function: the
 * tensors a forward pass creates are freed before the backward pass runs), and where each
 * answer of the set lands in the concatenated output.
 */
function answerBatches(input: QaTrainInput, set: number[]) {
  const shape = towerShape(input.topology, 'answer');
  const sorted = set
    .map((a, col) => ({ a, col }))
    .sort((x, y) => input.answers[x.a]!.sequence.length - input.answers[y.a]!.sequence.length);
  const batches: ReturnType<typeof makeBatch>[] = [];
  for (let i = 0; i < sorted.length; i += input.settings.answerGroup) {
    const chunk = sorted.slice(i, i + input.settings.answerGroup);
    batches.push(
      makeBatch(
        shape,
        chunk.map((x) => input.answers[x.a]!),
        input.bagIdf,
      ),
    );
  }
  const rowOf = new Int32Array(set.length);
  sorted.forEach((x, row) => {
    rowOf[x.col] = row;
  });
  return { batches, rowOf };
}

/**
 * Trains both towers with a softmax over in-batch answers (every answer of the batch's
 * questions, their sampled hard negatives, or the whole answer set), evaluating after each
 * epoch; returns the weights of the best epoch. Deterministic for a seed on one backend.
 */
export function trainQaWeights(input: QaTrainInput): QaTrainResult {
  const { topology: t, settings: s } = input;
  const rng = seededRandom(s.seed);
  const w = input.init ? startFrom(t, input.init) : initQaWeights(t, rng, input.bagIdf, input.lexicalIdf);
  const specs = qaWeightSpecs(t).filter((x) => x.trainable);
  const optimizers = { dense: tf.train.adam(s.learningRate), wide: tf.train.adam(s.wideLearningRate) };
  const keep = 1 - s.dropout;
  const dropoutMask = (shape: [number, number]) => {
    if (s.dropout <= 0) return null;
    const m = Float32Array.from({ length: shape[0] * shape[1] }, () => (rng.next() < keep ? 1 / keep : 0));
    return tf.tensor2d(m, shape);
  };
  const history: QaEpochReport[] = [];
  let best: { epoch: number; val: number; weights: Weights } | undefined;
  const order = input.questions.map((_, i) => i);
  const everyAnswer = input.answers.map((_, i) => i);
  const qShape = towerShape(t, 'question');

  for (let epoch = 1; epoch <= s.maxEpochs; epoch++) {
    const started = performance.now();
    const batches = lengthBatches(input.questions, shuffle(order, rng), s.batchSize, rng);
    let lossSum = 0;
    batches.forEach((idx, step) => {
      const cols = new Map<number, number>();
      const add = (a: number) => {
        if (!cols.has(a)) cols.set(a, cols.size);
      };
      if (s.allAnswers) for (const a of everyAnswer) add(a);
      for (const q of idx) add(input.positives[q]!);
      for (const q of idx) {
        const negs = input.negatives[q]!;
        for (let k = 0; k < Math.min(s.hardNegatives, negs.length); k++)
          add(negs[Math.floor(rng.next() * negs.length)]!);
      }
      const set = [...cols.keys()];
      const qBatch = makeBatch(
        qShape,
        idx.map((k) => input.questions[k]!),
        input.bagIdf,
      );
      const answers = answerBatches(input, set);
      const targets = tf.tensor1d(
        Int32Array.from(idx, (q) => answers.rowOf[cols.get(input.positives[q]!)!]!),
        'int32',
      );
      const { value: loss, grads } = tf.variableGrads(
        () => {
          const o = { training: true, dropoutMask };
          const q = towerForward(t, w, 'question', qBatch, o);
          const parts = answers.batches.map((b) => towerForward(t, w, 'answer', b, o));
          const a = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
          const logits = tf.mul(linear(q, tf.transpose(a)), s.scale) as tf.Tensor2D;
          const onehot = tf.oneHot(targets, set.length);
          return tf.mean(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
        },
        specs.map((x) => w[x.name] as tf.Variable),
      );
      const split = { dense: {} as Record<string, tf.Variable>, wide: {} as Record<string, tf.Variable> };
      for (const [name, g] of Object.entries(grads))
        split[name.endsWith('wide/dense') ? 'wide' : 'dense'][name] = g as tf.Variable;
      optimizers.dense.applyGradients(split.dense);
      if (Object.keys(split.wide).length > 0) optimizers.wide.applyGradients(split.wide);
      tf.dispose(Object.values(grads));
      const value = loss.dataSync()[0]!;
      lossSum += value;
      tf.dispose([loss, targets]);
      disposeBatch(qBatch);
      for (const b of answers.batches) disposeBatch(b);
      input.onStep?.({ epoch, step: step + 1, steps: batches.length, loss: value });
    });
    const val = input.validate(w);
    const report: QaEpochReport = {
      epoch,
      maxEpochs: s.maxEpochs,
      loss: lossSum / batches.length,
      val,
      seconds: (performance.now() - started) / 1000,
    };
    history.push(report);
    input.onEpoch?.(report);
    if (!best || val > best.val) {
      if (best) tf.dispose(Object.values(best.weights));
      best = { epoch, val, weights: Object.fromEntries(Object.entries(w).map(([k, v]) => [k, tf.clone(v)])) };
    } else if (epoch - best.epoch >= s.patience) break;
  }
  optimizers.dense.dispose();
  optimizers.wide.dispose();
  tf.dispose(Object.values(w));
  return { weights: best!.weights, history, bestEpoch: best!.epoch };
}
