import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { ClassificationReport } from '../classifier/metrics.js';
import { classificationReport } from '../classifier/metrics.js';
import type { LabelledData } from '../data.js';

/** One model's scores on one evaluation set, with its confusion matrix. */
export interface ModelScores extends ClassificationReport {
  /** `confusion[actual][predicted]` counts over {@link SetComparison.labels}. */
  confusion: number[][];
}

/** The version in service and the new one scored on the same texts. */
export interface SetComparison {
  name: 'held_out' | 'regression';
  title: string;
  n: number;
  /** Every label that occurs in the set or that either net can predict, sorted. */
  labels: string[];
  old: ModelScores;
  new: ModelScores;
  /** Per text, as indices into {@link labels}: its category and each version's prediction (for the paired tests). */
  predictions: { actual: Int32Array; old: Int32Array; new: Int32Array };
}

/** The most probable label of each text. */
export function predictLabels(net: ClassifierNet, texts: readonly string[]): string[] {
  const out: string[] = [];
  const classes = net.meta.labels.length;
  // Chunks keep the intermediate tensors small on large sets.
  for (let at = 0; at < texts.length; at += 512) {
    const probs = net.probabilities(texts.slice(at, at + 512));
    for (let i = 0; i * classes < probs.length; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
      out.push(net.meta.labels[best]!);
    }
  }
  return out;
}

/** Scores predicted labels against actual ones over a fixed label list. */
export function scoreLabels(
  predicted: readonly string[],
  actual: readonly string[],
  labels: string[],
): ModelScores {
  const index = new Map(labels.map((l, i) => [l, i]));
  const p = predicted.map((l) => index.get(l)!);
  const a = actual.map((l) => index.get(l)!);
  const confusion = labels.map(() => new Array<number>(labels.length).fill(0));
  a.forEach((y, i) => {
    confusion[y]![p[i]!]! += 1;
  });
  return { ...classificationReport(p, a, labels), confusion };
}

/**
 * Scores both nets on one labelled set. A label the old net never learned (a new category)
 * counts as an error for it whatever it predicts: that is what serving it would do.
 */
export function compareOnSet(
  name: SetComparison['name'],
  title: string,
  data: LabelledData,
  oldNet: ClassifierNet,
  newNet: ClassifierNet,
): SetComparison {
  const labels = [...new Set([...data.labels, ...oldNet.meta.labels, ...newNet.meta.labels])].sort();
  return comparePredictions(
    name,
    title,
    data.labels,
    predictLabels(oldNet, data.texts),
    predictLabels(newNet, data.texts),
    labels,
  );
}

/** Both versions' predicted labels on the same texts, scored and kept text by text. */
export function comparePredictions(
  name: SetComparison['name'],
  title: string,
  actual: readonly string[],
  oldPredicted: readonly string[],
  newPredicted: readonly string[],
  labels = [...new Set([...actual, ...oldPredicted, ...newPredicted])].sort(),
): SetComparison {
  const index = new Map(labels.map((l, i) => [l, i]));
  const ix = (xs: readonly string[]) => Int32Array.from(xs, (l) => index.get(l)!);
  return {
    name,
    title,
    n: actual.length,
    labels,
    old: scoreLabels(oldPredicted, actual, labels),
    new: scoreLabels(newPredicted, actual, labels),
    predictions: { actual: ix(actual), old: ix(oldPredicted), new: ix(newPredicted) },
  };
}
