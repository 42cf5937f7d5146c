import * as tf from '@tensorflow/tfjs';
import { computeIdf, disposeBatch, makeBatch } from '../../src/nets/classifier/batch.js';
import { combineLogits, pathLogits, type Weights } from '../../src/nets/classifier/forward.js';
import { predictLogits } from '../../src/nets/classifier/infer.js';
import { type Topology, type WeightSpec, weightSpecs } from '../../src/nets/classifier/topology.js';
import { gaussian, glorot, type Random, seededRandom, shuffle } from '../../src/nets/random.js';
import type { Features } from '../../src/nets/vectoriser.js';

/** Hyper-parameters of one training run. */
export interface TrainSettings {
  seed: number;
  maxEpochs: number;
  /** Stop after this many epochs without a better validation accuracy. */
  patience: number;
  batchSize: number;
  learningRate: number;
  /** Adam's learning rate for the wide path (its inputs are sparse and L2-normalised). */
  wideLearningRate: number;
  /** L2 on the conv path's kernels and dense layer. */
  l2: number;
  /** L2 on the wide path's weights. */
  wideL2: number;
  dropout: number;
  /** Class weights are (mean count / class count)^power: 0 none, 1 fully balanced. */
  classWeightPower: number;
  /**
   * Weight of an extra loss on each path's own logits (with the output bias), so each path
   * learns to classify by itself instead of the faster wide path doing all the work; 0 for none.
   */
  auxLossWeight: number;
}

/** One epoch's figures, for the progress bar and the report. */
export interface EpochReport {
  epoch: number;
  maxEpochs: number;
  loss: number;
  valAccuracy: number;
  valLoss: number;
  /** Examples trained on this epoch (fewer than the training rows when a replay plan samples them). */
  rows: number;
  /** Wall time of the epoch, and of its validation pass within it. */
  seconds: number;
  valSeconds: number;
}

/** Progress within an epoch. */
export interface StepReport {
  epoch: number;
  maxEpochs: number;
  step: number;
  steps: number;
  loss: number;
}

/** What {@link trainWeights} needs: featurised examples with label indices. */
export interface TrainInput {
  topology: Topology;
  train: { feats: Features[]; labels: Int32Array };
  val: { feats: Features[]; labels: Int32Array };
  settings: TrainSettings;
  /**
   * Noisy copies of the training rows (same order as `train.feats`): each epoch, a seeded
   * `fraction` of the rows is seen through its noisy copy instead, so the net learns typos and
   * repaired layouts at no extra cost per epoch.
   */
  noisy?: { feats: Features[]; fraction: number };
  /** Starting values of a weight (e.g. a previous version's, to fine-tune it); random when undefined. */
  init?: (spec: WeightSpec) => Float32Array | undefined;
  /** Trains each epoch on a sample of the rows instead of all of them (see {@link ReplayPlan}). */
  replay?: ReplayPlan;
  onStep?: (s: StepReport) => void;
  onEpoch?: (e: EpochReport) => void;
}

/**
 * Which training rows an epoch sees when not all of them: a fine-tune replays a sample of the
 * base data it was trained on, beside every new label. Rows whose stratum is -1 are seen every
 * epoch; the others are drawn per stratum (a category of one base file: one language), in
 * proportion to its size (at least one row each), about `rows` in all. Each stratum is
 * permuted once (seeded) and epoch k takes its k-th window, so successive epochs see different
 * rows and cover the stratum before repeating any. The IDF table is still computed from every
 * training row; the class weights balance what an epoch sees.
 */
export interface ReplayPlan {
  /** Per training row: its stratum, or -1 for a row seen every epoch. */
  strata: Int32Array;
  /** Rows drawn from the strata per epoch. */
  rows: number;
}

/**
 * The rows an epoch trains on under a replay plan (the ones always seen, then each stratum's
 * window), and per row the share of epochs it is seen in (1 for the rows always seen).
 */
export function replaySchedule(
  plan: ReplayPlan,
  rng: Random,
): { epoch: (epoch: number) => number[]; share: Float64Array } {
  const always: number[] = [];
  const members = new Map<number, number[]>();
  plan.strata.forEach((s, i) => {
    if (s < 0) always.push(i);
    else {
      const m = members.get(s);
      if (m) m.push(i);
      else members.set(s, [i]);
    }
  });
  const pool = plan.strata.length - always.length;
  const strata = [...members.keys()]
    .sort((a, b) => a - b)
    .map((s) => {
      const rows = shuffle(members.get(s)!, rng);
      return { rows, take: Math.min(rows.length, Math.max(1, Math.round((plan.rows * rows.length) / pool))) };
    });
  const share = new Float64Array(plan.strata.length).fill(1);
  for (const { rows, take } of strata) for (const i of rows) share[i] = take / rows.length;
  const epoch = (e: number) => {
    const out = [...always];
    for (const { rows, take } of strata) {
      const start = ((e - 1) * take) % rows.length;
      for (let k = 0; k < take; k++) out.push(rows[(start + k) % rows.length]!);
    }
    return out;
  };
  return { epoch, share };
}

/** The best weights found (by validation accuracy) and the history. */
export interface TrainResult {
  weights: Weights;
  history: EpochReport[];
  bestEpoch: number;
}

/** Initial weights of a topology, from a seeded source. */
export function initWeights(
  t: Topology,
  rng: Random,
  idf?: Float32Array,
  init?: (spec: WeightSpec) => Float32Array | undefined,
): Weights {
  const w: Weights = {};
  for (const spec of weightSpecs(t)) {
    const size = spec.shape.reduce((a, n) => a * n, 1);
    let values: Float32Array;
    const given = spec.name === 'wide/idf' ? undefined : init?.(spec);
    if (given) {
      if (given.length !== size)
        throw new Error(`initial ${spec.name} has ${given.length} values, expected ${size}`);
      values = given;
    } else if (spec.name === 'wide/idf') values = idf ?? new Float32Array(size).fill(1);
    else if (spec.name === 'conv/embedding')
      values = Float32Array.from({ length: size }, () => gaussian(rng) * 0.1);
    else if (spec.name.includes('kernel') || spec.name === 'conv/dense') values = glorot(rng, spec.shape);
    else values = new Float32Array(size);
    w[spec.name] = spec.trainable
      ? tf.variable(tf.tensor(values, spec.shape), true, spec.name)
      : tf.tensor(values, spec.shape);
  }
  return w;
}

/** Groups example indices into batches of similar sequence length, in a seeded order. */
export function lengthBatches(
  feats: readonly Features[],
  order: number[],
  size: number,
  rng: Random,
): number[][] {
  const chunk = size * 16;
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += chunk) {
    const part = order
      .slice(i, i + chunk)
      .sort((a, b) => feats[a]!.sequence.length - feats[b]!.sequence.length);
    for (let j = 0; j < part.length; j += size) batches.push(part.slice(j, j + size));
  }
  return shuffle(batches, rng);
}

/** Mean cross-entropy and accuracy of logits against labels. */
export function scoreLogits(
  logits: Float32Array,
  labels: Int32Array,
  classes: number,
): { loss: number; accuracy: number } {
  let loss = 0;
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let max = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      if (row[c]! > max) {
        max = row[c]!;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c]! - max);
    loss += Math.log(sum) + max - row[labels[i]!]!;
    if (arg === labels[i]) right++;
  }
  return { loss: loss / labels.length, accuracy: right / labels.length };
}

/**
 * Trains with Adam and class-weighted cross-entropy, evaluating on the validation split after
 * each epoch; returns the weights of the best epoch. Deterministic for a seed on one backend.
 */
export function trainWeights(input: TrainInput): TrainResult {
  const { topology: t, train, val, settings: s } = input;
  const rng = seededRandom(s.seed);
  const idf = t.wide ? computeIdf(train.feats, t.wide.vocab) : undefined;
  const w = initWeights(t, rng, idf, input.init);
  const specs = weightSpecs(t);
  const trainable = specs.filter((x) => x.trainable).map((x) => w[x.name] as tf.Variable);

  // Class weights balance what an epoch sees: under a replay plan, a base row counts with the
  // share of its stratum an epoch draws (a category's labels are otherwise over-weighted several
  // times, as all of them are seen every epoch beside a sample of the base).
  const replay =
    input.replay && input.replay.rows < input.replay.strata.length
      ? replaySchedule(input.replay, seededRandom(s.seed ^ 0x2e71a7))
      : undefined;
  const counts = new Float64Array(t.classes);
  train.labels.forEach((y, i) => {
    counts[y]! += replay ? replay.share[i]! : 1;
  });
  const mean = counts.reduce((a, n) => a + n, 0) / t.classes;
  const classWeights = Float32Array.from(counts, (n) => (n > 0 ? (mean / n) ** s.classWeightPower : 0));

  // One Adam per path: the wide path's sparse, normalised inputs want a larger step.
  const optimizers = {
    deep: tf.train.adam(s.learningRate),
    wide: tf.train.adam(s.wideLearningRate),
  };
  const history: EpochReport[] = [];
  let best: { epoch: number; acc: number; loss: number; weights: Weights } | undefined;
  const order = train.feats.map((_, i) => i);
  const epochRows = replay ? replay.epoch : () => order;
  const keep = 1 - s.dropout;
  const dropoutMask = (shape: [number, number]) => {
    if (s.dropout <= 0) return null;
    const m = Float32Array.from({ length: shape[0] * shape[1] }, () => (rng.next() < keep ? 1 / keep : 0));
    return tf.tensor2d(m, shape);
  };

  for (let epoch = 1; epoch <= s.maxEpochs; epoch++) {
    const started = performance.now();
    let feats = train.feats;
    if (input.noisy && input.noisy.fraction > 0) {
      const alt = input.noisy;
      feats = train.feats.map((f, i) => (rng.next() < alt.fraction ? alt.feats[i]! : f));
    }
    const rows = epochRows(epoch);
    const batches = lengthBatches(feats, shuffle(rows, rng), s.batchSize, rng);
    let lossSum = 0;
    batches.forEach((idx, step) => {
      const batch = makeBatch(
        t,
        idx.map((k) => feats[k]!),
        idf,
      );
      const yw = Float32Array.from(idx, (k) => classWeights[train.labels[k]!]!);
      const y = tf.oneHot(
        tf.tensor1d(
          Int32Array.from(idx, (k) => train.labels[k]!),
          'int32',
        ),
        t.classes,
      );
      const exampleWeights = tf.tensor1d(yw);
      const totalWeight = yw.reduce((a, v) => a + v, 0);
      const { value: loss, grads } = tf.variableGrads(() => {
        const parts = pathLogits(t, w, batch, { training: true, dropoutMask });
        const weightedCe = (logits: tf.Tensor2D) =>
          tf.div(
            tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)), exampleWeights)),
            totalWeight,
          );
        let total = weightedCe(combineLogits(w, parts));
        if (s.auxLossWeight > 0 && parts.length > 1) {
          for (const part of parts)
            total = tf.add(total, tf.mul(s.auxLossWeight, weightedCe(combineLogits(w, [part]))));
        }
        for (const spec of specs) {
          if (!spec.decay) continue;
          const lambda = spec.name.startsWith('wide/') ? s.wideL2 : s.l2;
          if (lambda > 0) total = tf.add(total, tf.mul(lambda, tf.sum(tf.square(w[spec.name]!))));
        }
        return total as tf.Scalar;
      }, trainable);
      const split = { deep: {} as Record<string, tf.Variable>, wide: {} as Record<string, tf.Variable> };
      for (const [name, g] of Object.entries(grads))
        split[name.startsWith('wide/') ? 'wide' : 'deep'][name] = g as tf.Variable;
      optimizers.deep.applyGradients(split.deep);
      optimizers.wide.applyGradients(split.wide);
      tf.dispose(Object.values(grads));
      const value = loss.dataSync()[0]!;
      lossSum += value;
      tf.dispose([loss, y, exampleWeights]);
      disposeBatch(batch);
      input.onStep?.({ epoch, maxEpochs: s.maxEpochs, step: step + 1, steps: batches.length, loss: value });
    });
    const valStarted = performance.now();
    const valLogits = predictLogits(t, w, val.feats, idf);
    const score = scoreLogits(valLogits, val.labels, t.classes);
    const report: EpochReport = {
      epoch,
      maxEpochs: s.maxEpochs,
      loss: lossSum / batches.length,
      valAccuracy: score.accuracy,
      valLoss: score.loss,
      rows: rows.length,
      seconds: (performance.now() - started) / 1000,
      valSeconds: (performance.now() - valStarted) / 1000,
    };
    history.push(report);
    input.onEpoch?.(report);
    if (!best || score.accuracy > best.acc || (score.accuracy === best.acc && score.loss < best.loss)) {
      if (best) tf.dispose(Object.values(best.weights));
      best = { epoch, acc: score.accuracy, loss: score.loss, weights: cloneWeights(w) };
    } else if (epoch - best.epoch >= s.patience) break;
  }
  optimizers.deep.dispose();
  optimizers.wide.dispose();
  tf.dispose(Object.values(w));
  return { weights: best!.weights, history, bestEpoch: best!.epoch };
}

function cloneWeights(w: Weights): Weights {
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, tf.clone(v)]));
}
