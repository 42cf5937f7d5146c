import { createHash } from 'node:crypto';
import { seededRandom, shuffle } from '../../src/nets/random.js';
import { type DerivedPair, textKey } from '../labels/derive.js';
import type { EvalSet } from '../qa/eval-set.js';
import type { PairRow } from '../qa/pairs.js';
import type { QaExamples } from '../qa/train-qa.js';
import { isHeldOut, isValidation } from './classifier-data.js';

/** A knowledge-base answer as the Q/A retraining sees it. */
export interface QaKbAnswer {
  id: number;
  text: string;
  category: string | null;
  createdAt: number;
}

/** What a Q/A retraining trains, validates and compares on. */
export interface QaRetrainData {
  train: QaExamples;
  /** Early stopping (and, when big enough, the scoring and threshold fit). */
  val: EvalSet;
  /** Operators' pairs no version in the chain trained on: both versions rank the whole pool. */
  heldOut: EvalSet;
  /** The answer pool: the knowledge base's active answers, then operators' own answers. */
  answers: string[];
  summary: {
    pairs: number;
    pairsTrain: number;
    pairsVal: number;
    pairsHeldOut: number;
    kbAnswers: number;
    /** Answers operators wrote or edited that are not in the knowledge base. */
    operatorAnswers: number;
    shuffledLabels: boolean;
  };
}

/**
 * Pairs and knowledge base → training examples and evaluation sets. Every answer of the
 * knowledge base and every answer an operator sent is one entry of the pool (answers equal
 * after normalisation are one); a pair's right answer is the text the operator sent. A
 * question is held out or validates by a hash of its text (the classifier's rule, so a text
 * held out from one net is held out from the other).
 */
export function assembleQaData(o: {
  pairs: readonly DerivedPair[];
  kb: readonly QaKbAnswer[];
  heldOutFraction: number;
  valFraction: number;
  /** Permute the training pairs' answers (a control run the gate must refuse). */
  shuffle?: { seed: number };
}): QaRetrainData {
  const answers: string[] = [];
  const index = new Map<string, number>();
  const add = (text: string) => {
    const key = textKey(text);
    let i = index.get(key);
    if (i === undefined) {
      i = answers.length;
      answers.push(text);
      index.set(key, i);
    }
    return i;
  };
  for (const a of o.kb) add(a.text);
  const kbAnswers = answers.length;
  const split = { train: [] as DerivedPair[], val: [] as DerivedPair[], heldOut: [] as DerivedPair[] };
  for (const p of o.pairs) {
    add(p.answer);
    if (isHeldOut(p.question, o.heldOutFraction)) split.heldOut.push(p);
    else if (isValidation(p.question, o.valFraction)) split.val.push(p);
    else split.train.push(p);
  }
  const all = Int32Array.from(answers, (_, i) => i);
  const rankAll = (pairs: readonly DerivedPair[]): EvalSet => ({
    questions: pairs.map((p) => p.question),
    answers,
    lists: pairs.map((p) => {
      const right = index.get(textKey(p.answer))!;
      return { candidates: all, labels: Uint8Array.from(answers, (_, i) => (i === right ? 1 : 0)) };
    }),
  });
  let positives = split.train.map((p) => index.get(textKey(p.answer))!);
  if (o.shuffle) positives = shuffle(positives, seededRandom(o.shuffle.seed));
  return {
    train: {
      questions: split.train.map((p) => p.question),
      positives: Int32Array.from(positives),
      negatives: split.train.map(() => new Int32Array(0)),
      answers,
    },
    val: rankAll(split.val),
    heldOut: rankAll(split.heldOut),
    answers,
    summary: {
      pairs: o.pairs.length,
      pairsTrain: split.train.length,
      pairsVal: split.val.length,
      pairsHeldOut: split.heldOut.length,
      kbAnswers,
      operatorAnswers: answers.length - kbAnswers,
      shuffledLabels: o.shuffle !== undefined,
    },
  };
}

/**
 * The fixed regression set against the knowledge base: each question ranks the base's
 * answers, the right ones being those of its category. Questions of a category the base has
 * no answer for are left out (nothing could be right).
 */
export function regressionSet(
  rows: readonly PairRow[],
  kb: readonly QaKbAnswer[],
): { set: EvalSet; categories: string[] } {
  const known = new Set(kb.map((a) => a.category).filter((c) => c !== null));
  const kept = rows.filter((r) => r.label > 0 && r.category !== undefined && known.has(r.category));
  const all = Int32Array.from(kb, (_, i) => i);
  return {
    set: {
      questions: kept.map((r) => r.question),
      answers: kb.map((a) => a.text),
      lists: kept.map((r) => ({
        candidates: all,
        labels: Uint8Array.from(kb, (a) => (a.category === r.category ? 1 : 0)),
      })),
    },
    categories: kept.map((r) => r.category!),
  };
}

/** A short key of an answer's normalised text: a version records the keys of its pool. */
export function answerKey(text: string): string {
  return createHash('sha256').update(textKey(text)).digest('hex').slice(0, 12);
}

/** A hash of what a Q/A version learns from: equal hashes mean nothing new since it was trained. */
export function qaInputsHash(pairs: readonly DerivedPair[], kb: readonly QaKbAnswer[]): string {
  const lines = [
    ...pairs.map((p) => `q\t${textKey(p.question)}\t${textKey(p.answer)}`),
    ...kb.map((a) => `a\t${textKey(a.text)}\t${a.category ?? ''}`),
  ].sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The validation pairs and the training pairs as one evaluation set (each ranks the whole pool). */
export function withTrainingPairs(data: QaRetrainData): EvalSet {
  const all = Int32Array.from(data.answers, (_, i) => i);
  return {
    questions: [...data.val.questions, ...data.train.questions],
    answers: data.answers,
    lists: [
      ...data.val.lists,
      ...Array.from(data.train.positives, (right) => ({
        candidates: all,
        labels: Uint8Array.from(data.answers, (_, i) => (i === right ? 1 : 0)),
      })),
    ],
  };
}
