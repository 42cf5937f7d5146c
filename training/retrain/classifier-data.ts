import { murmurhash3String } from '../../src/nets/murmurhash3.js';
import { seededRandom, shuffle } from '../../src/nets/random.js';
import type { LabelledData } from '../data.js';
import { type DerivedLabel, textKey } from '../labels/derive.js';

// Fixed, so a text lands on the same side of each split in every run.
const HELD_OUT_SEED = 0x5eed_0008;
const VALIDATION_SEED = 0x5eed_0009;

/**
 * True when an operator-labelled text belongs to the held-out split. The side is a hash of the
 * text, not a draw: a text held out once is held out in every later run, so no version in the
 * chain ever trained on the texts used to compare the next one.
 */
export function isHeldOut(text: string, fraction: number): boolean {
  return murmurhash3String(textKey(text), HELD_OUT_SEED) / 2 ** 32 < fraction;
}

/** True when a (not held-out) labelled text validates training: early stopping and calibration. */
export function isValidation(text: string, fraction: number): boolean {
  return murmurhash3String(textKey(text), VALIDATION_SEED) / 2 ** 32 < fraction;
}

/** What a classifier retraining trains and evaluates on. */
export interface ClassifierRetrainData {
  /** Everything the training run gets; the rows in `valRows` validate it, the rest train it. */
  train: LabelledData;
  valRows: number[];
  /**
   * Per row of `train`, its replay stratum: base rows by file (language) and category, -1 for
   * operators' labels (seen every epoch of a fine-tune that samples the base) and validation rows.
   */
  strata: Int32Array;
  /** Operator-labelled texts neither the new version nor (by the hash rule) any earlier retrain saw. */
  heldOut: LabelledData;
  summary: {
    baseRows: number;
    /** Base rows replaced by an operator's label for the same text. */
    baseRelabelled: number;
    /** Base rows left out because their text is in the held-out split. */
    baseHeldOut: number;
    labels: number;
    labelsTrain: number;
    labelsHeldOut: number;
    /** Rows trained on, and rows that validate (early stopping, calibration). */
    trainRows: number;
    valRows: number;
    /** Categories in the labels that the version in service does not know. */
    newCategories: string[];
    shuffledLabels: boolean;
    /** Control runs: the two categories whose training labels were swapped; the share of training rows kept. */
    swappedCategories: [string, string] | null;
    trainFraction: number;
  };
}

/**
 * Merges the base training data with operators' labels: a label replaces a base row of the
 * same text (operators know better than the original file), labels of held-out texts go to the
 * held-out split (and base rows of those texts leave training), the rest are added to training.
 * With `shuffleLabels` the training labels are permuted, with `swapCategories` two categories'
 * training labels are exchanged, with `trainFraction` most training rows are left out: control
 * runs that make a worse version on purpose, which the gate must refuse. Validation rows are
 * never touched (the calibration and early stopping of a control run see true labels).
 */
export function assembleClassifierData(o: {
  base: LabelledData;
  /** Rows of each base file in order (one file per language for a bilingual net); one file when absent. */
  baseFileRows?: readonly number[];
  labels: readonly DerivedLabel[];
  heldOutFraction: number;
  /** Base rows the version in service validated on (never trained on): they validate again. */
  baseValidation: ReadonlySet<number>;
  /** Share of the other labelled texts that validates (by a hash of the text). */
  valFraction: number;
  knownCategories: readonly string[];
  shuffleLabels?: { seed: number };
  /** Control run: every training row of one category labelled as the other, and the reverse. */
  swapCategories?: [string, string];
  /** Control run: only this seeded share of the training rows (validation rows all stay). */
  trainFraction?: { fraction: number; seed: number };
}): ClassifierRetrainData {
  const labelled = new Map(o.labels.map((l) => [textKey(l.text), l]));
  const heldOutKeys = new Set(
    [...labelled.keys()].filter((k) => isHeldOut(labelled.get(k)!.text, o.heldOutFraction)),
  );
  const train: LabelledData = { texts: [], labels: [] };
  const valRows: number[] = [];
  let strata: number[] = [];
  const add = (text: string, label: string, validates: boolean, stratum = -1) => {
    if (validates) valRows.push(train.texts.length);
    train.texts.push(text);
    train.labels.push(label);
    strata.push(validates ? -1 : stratum);
  };
  const fileOf = baseFileIndex(o.base.texts.length, o.baseFileRows);
  const stratumIds = new Map<string, number>();
  const stratumOf = (file: number, label: string) => {
    const key = `${file}\t${label}`;
    const id = stratumIds.get(key) ?? stratumIds.size;
    stratumIds.set(key, id);
    return id;
  };
  let baseRelabelled = 0;
  let baseHeldOut = 0;
  o.base.texts.forEach((text, i) => {
    const key = textKey(text);
    if (heldOutKeys.has(key)) baseHeldOut++;
    else if (labelled.has(key)) baseRelabelled++;
    else add(text, o.base.labels[i]!, o.baseValidation.has(i), stratumOf(fileOf[i]!, o.base.labels[i]!));
  });
  const heldOut: LabelledData = { texts: [], labels: [] };
  for (const [key, l] of labelled) {
    if (heldOutKeys.has(key)) {
      heldOut.texts.push(l.text);
      heldOut.labels.push(l.category);
    } else add(l.text, l.category, isValidation(l.text, o.valFraction));
  }
  if (o.shuffleLabels) train.labels = shuffle([...train.labels], seededRandom(o.shuffleLabels.seed));
  if (o.swapCategories) {
    const [a, b] = o.swapCategories;
    const validating = new Set(valRows);
    train.labels = train.labels.map((l, i) => (validating.has(i) ? l : l === a ? b : l === b ? a : l));
  }
  if (o.trainFraction && o.trainFraction.fraction < 1) {
    const rng = seededRandom(o.trainFraction.seed);
    const validating = new Set(valRows);
    const kept: LabelledData = { texts: [], labels: [] };
    const keptVal: number[] = [];
    const keptStrata: number[] = [];
    train.texts.forEach((t, i) => {
      const v = validating.has(i);
      if (!v && rng.next() >= o.trainFraction!.fraction) return;
      if (v) keptVal.push(kept.texts.length);
      kept.texts.push(t);
      kept.labels.push(train.labels[i]!);
      keptStrata.push(strata[i]!);
    });
    train.texts = kept.texts;
    train.labels = kept.labels;
    strata = keptStrata;
    valRows.splice(0, valRows.length, ...keptVal);
  }
  const known = new Set(o.knownCategories);
  return {
    train,
    valRows,
    strata: Int32Array.from(strata),
    heldOut,
    summary: {
      baseRows: o.base.texts.length,
      baseRelabelled,
      baseHeldOut,
      labels: labelled.size,
      labelsTrain: labelled.size - heldOutKeys.size,
      labelsHeldOut: heldOutKeys.size,
      trainRows: train.texts.length - valRows.length,
      valRows: valRows.length,
      newCategories: [...new Set(o.labels.map((l) => l.category))].filter((c) => !known.has(c)).sort(),
      shuffledLabels: o.shuffleLabels !== undefined,
      swappedCategories: o.swapCategories ?? null,
      trainFraction: o.trainFraction?.fraction ?? 1,
    },
  };
}

/** The index of the base file each base row came from. */
function baseFileIndex(rows: number, fileRows: readonly number[] = [rows]): Uint16Array {
  const total = fileRows.reduce((a, n) => a + n, 0);
  if (total !== rows) throw new Error(`base files have ${total} rows between them, the base data ${rows}`);
  const out = new Uint16Array(rows);
  let at = 0;
  fileRows.forEach((n, f) => {
    out.fill(f, at, at + n);
    at += n;
  });
  return out;
}
