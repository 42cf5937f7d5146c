import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { LabelledData } from '../data.js';
import { confidences, expectedCalibrationError } from './calibrate.js';
import { type ClassificationReport, classificationReport, quantile } from './metrics.js';

/** What `evaluate -- classifier` reports. */
export interface ClassifierEvaluation extends ClassificationReport {
  ece: number;
  /** Share of texts at or above the unsure threshold, and their accuracy. */
  sureShare: number;
  sureAccuracy: number;
  /** Rows whose label the net does not know (counted as errors). */
  unknownLabels: number;
  singleP50Ms: number;
  singleP99Ms: number;
  batch128Ms: number;
}

/** Measures in-process latency: one text at a time (p50, p99 of 300), and batches of 128 (median). */
export function measureLatency(
  net: ClassifierNet,
  texts: readonly string[],
): { p50: number; p99: number; batch128: number } {
  const singles: number[] = [];
  const sample = texts.slice(0, 300);
  for (const t of sample.slice(0, 20)) net.predict(t);
  for (const t of sample) {
    const start = performance.now();
    net.predict(t);
    singles.push(performance.now() - start);
  }
  const batches: number[] = [];
  // 16 batches from across the data (texts of every length), median of the last 15.
  for (let i = 0; i < 16; i++) {
    const at = Math.floor((i * Math.max(0, texts.length - 128)) / 15);
    const batch = texts.slice(at, at + 128);
    const start = performance.now();
    net.predictBatch(batch);
    batches.push(performance.now() - start);
  }
  return {
    p50: quantile(singles, 0.5),
    p99: quantile(singles, 0.99),
    batch128: quantile(batches.slice(1), 0.5),
  };
}

/**
 * The language of a labelled text for per-language figures: Russian when it has a Cyrillic
 * letter (mixed text such as "Visa или Mastercard доступны?" is Russian), English otherwise.
 */
export function textLanguage(text: string): 'en' | 'ru' {
  return /[\u0400-\u04ff]/.test(text) ? 'ru' : 'en';
}

/** Per-language figures with flat keys (`accuracyEn`, `macroF1Ru`, `nRu`, ...); a language with no rows is left out. */
export type LanguageFigures = Partial<Record<`${'accuracy' | 'macroF1' | 'n'}${'En' | 'Ru'}`, number>>;

/** Accuracy and macro-F1 of predicted labels, overall and per language of the texts. */
export function languageFigures(
  texts: readonly string[],
  predicted: readonly string[],
  actual: readonly string[],
  labels: readonly string[],
): LanguageFigures {
  const index = new Map(labels.map((l, i) => [l, i]));
  const out: LanguageFigures = {};
  for (const lang of ['en', 'ru'] as const) {
    const rows = [...texts.keys()].filter((i) => textLanguage(texts[i]!) === lang);
    if (rows.length === 0) continue;
    const known = rows.filter((i) => index.has(actual[i]!));
    const report = classificationReport(
      known.map((i) => index.get(predicted[i]!) ?? 0),
      known.map((i) => index.get(actual[i]!)!),
      labels,
    );
    const suffix = lang === 'en' ? 'En' : 'Ru';
    out[`accuracy${suffix}`] = rows.filter((i) => predicted[i] === actual[i]).length / rows.length;
    out[`macroF1${suffix}`] = report.macroF1;
    out[`n${suffix}`] = rows.length;
  }
  return out;
}

/** {@link evaluateClassifier} plus per-language accuracy and macro-F1 (flat keys). */
export function evaluateByLanguage(
  net: ClassifierNet,
  data: LabelledData,
): ClassifierEvaluation & LanguageFigures {
  const e = evaluateClassifier(net, data);
  const predicted = net.predictBatch(data.texts).map((p) => p.category);
  return { ...e, ...languageFigures(data.texts, predicted, data.labels, net.meta.labels) };
}

/** Scores a net on labelled data. */
export function evaluateClassifier(net: ClassifierNet, data: LabelledData): ClassifierEvaluation {
  const labels = net.meta.labels;
  const classes = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const probs = net.probabilities(data.texts);
  const predicted = new Int32Array(data.texts.length);
  for (let i = 0; i < predicted.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    predicted[i] = best;
  }
  // A label the net never saw gets index -1: wrong whatever it predicts.
  const actual = Int32Array.from(data.labels, (l) => index.get(l) ?? -1);
  const unknownLabels = actual.filter((a) => a < 0).length;
  const knownRows = [...actual.keys()].filter((i) => actual[i]! >= 0);
  const report = classificationReport(
    knownRows.map((i) => predicted[i]!),
    knownRows.map((i) => actual[i]!),
    labels,
  );
  const rows = confidences(probs, actual, classes);
  const sure = rows.filter((r) => r.conf >= net.meta.unsureThreshold);
  const latency = measureLatency(net, data.texts);
  const accuracy = rows.filter((r) => r.right).length / Math.max(1, rows.length);
  return {
    ...report,
    n: rows.length,
    accuracy,
    ece: expectedCalibrationError(rows),
    sureShare: sure.length / Math.max(1, rows.length),
    sureAccuracy: sure.length ? sure.filter((r) => r.right).length / sure.length : 0,
    unknownLabels,
    singleP50Ms: latency.p50,
    singleP99Ms: latency.p99,
    batch128Ms: latency.batch128,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** A human-readable evaluation report. */
export function formatEvaluation(
  e: ClassifierEvaluation & LanguageFigures & { net: string; backend: string },
): string {
  const lines = [
    `net ${e.net} (${e.backend}) on ${e.n} texts`,
    `accuracy ${pct(e.accuracy)}  macro-F1 ${pct(e.macroF1)}  ECE ${e.ece.toFixed(4)}`,
    ...(['En', 'Ru'] as const)
      .filter((l) => e[`n${l}`] !== undefined)
      .map(
        (l) =>
          `  ${l === 'En' ? 'English' : 'Russian'} (${e[`n${l}`]} texts): accuracy ${pct(e[`accuracy${l}`]!)}  macro-F1 ${pct(e[`macroF1${l}`]!)}`,
      ),
    `sure (confidence ≥ threshold): ${pct(e.sureShare)} of texts, ${pct(e.sureAccuracy)} right`,
    `latency: one text p50 ${e.singleP50Ms.toFixed(2)} ms, p99 ${e.singleP99Ms.toFixed(2)} ms; batch of 128 ${e.batch128Ms.toFixed(1)} ms`,
  ];
  if (e.unknownLabels)
    lines.push(`${e.unknownLabels} rows have labels the net does not know (counted as errors)`);
  lines.push('', 'per class (worst F1 first):', '  precision  recall     F1  support  label');
  for (const c of [...e.perClass].sort((a, b) => a.f1 - b.f1)) {
    lines.push(
      `  ${pct(c.precision).padStart(9)} ${pct(c.recall).padStart(7)} ${pct(c.f1).padStart(7)} ${String(c.support).padStart(8)}  ${c.label}`,
    );
  }
  lines.push('', 'most confused (actual → predicted):');
  for (const p of e.confused) lines.push(`  ${String(p.count).padStart(4)}  ${p.actual} → ${p.predicted}`);
  return `${lines.join('\n')}\n`;
}
