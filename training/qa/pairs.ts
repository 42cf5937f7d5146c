import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { detectLanguage } from '../../src/core/language.js';
import { parseAnswerImport } from '../../src/kb/import-answers.js';
import { seededRandom } from '../../src/nets/random.js';
import { stratifiedSplit } from '../classifier/split.js';
import { parseCsv } from '../data.js';
import type { EvalSet } from './eval-set.js';
import { evalSetFromLists } from './sets.js';
import type { QaExamples } from './train-qa.js';
import type { RankingQuestion } from './wikiqa.js';

/** One row of a pairs file: a question with an answer text or a category, and a label (1 right, 0 wrong). */
export interface PairRow {
  question: string;
  answer?: string;
  category?: string;
  label: number;
}

/** Which columns hold what. */
export interface PairColumns {
  question: string;
  answer: string;
  category: string;
  label: string;
}

/** Default column names; `text` is accepted for the question when there is no `question` column. */
export const DEFAULT_PAIR_COLUMNS: PairColumns = {
  question: 'question',
  answer: 'answer',
  category: 'category',
  label: 'label',
};

/** A knowledge base answer read for training or evaluation. */
export interface KbEntry {
  text: string;
  category: string | null;
  language: string;
}

function fromRecord(rec: Record<string, unknown>, c: PairColumns, where: string): PairRow {
  const question = rec[c.question] ?? (c.question === 'question' ? rec.text : undefined);
  if (typeof question !== 'string') throw new Error(`${where}: no "${c.question}" text`);
  const answer = rec[c.answer];
  const category = rec[c.category];
  const label = rec[c.label];
  if (typeof answer !== 'string' && typeof category !== 'string')
    throw new Error(`${where}: needs an "${c.answer}" text or a "${c.category}"`);
  return {
    question,
    answer: typeof answer === 'string' ? answer : undefined,
    category: typeof category === 'string' ? category : undefined,
    label: label === undefined || label === '' ? 1 : Number(label) > 0 ? 1 : 0,
  };
}

/**
 * Reads question/answer pairs: `.csv` (header row), `.jsonl`, or tab-separated `.tsv`/`.txt`
 * (with a header row naming the columns, or WikiQA's headerless `question, sentence, label`).
 */
export function readPairs(path: string, c: PairColumns = DEFAULT_PAIR_COLUMNS): PairRow[] {
  const raw = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const ext = extname(path).toLowerCase();
  let records: Array<Record<string, unknown>>;
  if (ext === '.jsonl' || ext === '.ndjson') {
    records = raw
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } else if (ext === '.csv' || ext === '.tsv' || ext === '.txt') {
    const rows =
      ext === '.csv'
        ? parseCsv(raw)
        : raw
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => l.split('\t'));
    const first = rows[0] ?? [];
    const hasHeader = first.includes(c.question) || first.includes('text');
    const header = hasHeader ? first : [c.question, c.answer, c.label];
    records = rows
      .slice(hasHeader ? 1 : 0)
      .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  } else throw new Error(`${path}: expected .csv, .jsonl, .tsv or .txt`);
  if (records.length === 0) throw new Error(`${path}: no rows`);
  return records.map((r, i) => fromRecord(r, c, `${path} row ${i + 1}`));
}

/** Reads a knowledge base file (the import format: `text`, `category`, `language`). */
export function readKb(path: string): KbEntry[] {
  const raw = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  const format = ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : 'jsonl';
  return parseAnswerImport(format === 'json' ? JSON.parse(raw) : raw, format, 'default').map((a) => ({
    text: a.text,
    category: a.category,
    language: a.language,
  }));
}

/** The answer of a category for a question: in the question's language if the base has one, else English, else any. */
export function answerFor(kb: readonly KbEntry[], category: string, question: string): number {
  const lang = detectLanguage(question) ?? 'en';
  const of = kb.map((a, i) => ({ a, i })).filter((x) => x.a.category === category);
  const pick = of.find((x) => x.a.language === lang) ?? of.find((x) => x.a.language === 'en') ?? of[0];
  if (!pick) throw new Error(`no answer of category "${category}" in the knowledge base`);
  return pick.i;
}

/** Groups rows by question, in first-seen order, as ranking lists (answers given as text). */
export function rankingLists(rows: readonly PairRow[]): RankingQuestion[] {
  const by = new Map<string, { candidates: string[]; labels: number[] }>();
  for (const r of rows) {
    if (r.answer === undefined) throw new Error('ranking pairs need answer texts');
    let g = by.get(r.question);
    if (!g) {
      g = { candidates: [], labels: [] };
      by.set(r.question, g);
    }
    g.candidates.push(r.answer);
    g.labels.push(r.label);
  }
  return [...by].map(([question, g], i) => ({
    id: String(i + 1),
    question,
    candidates: g.candidates,
    labels: Uint8Array.from(g.labels),
  }));
}

/**
 * The validation split of one pairs file, drawn exactly as the classifier draws its own
 * (labels sorted, each class shuffled by the same seeded source): a net trained on the same
 * file with the same seed then holds out the same questions as the classifier, so the two
 * can be tuned together on questions neither has seen.
 */
export function classifierSplit(
  rows: readonly PairRow[],
  valFraction: number,
  seed: number,
): { train: number[]; val: number[] } {
  const cats = [...new Set(rows.map((r) => r.category!))].sort();
  const y = Int32Array.from(rows, (r) => cats.indexOf(r.category!));
  return stratifiedSplit(y, valFraction, seededRandom(seed ^ 0x9e3779b9));
}

/**
 * Training examples and a validation set for a knowledge base: each question paired with its
 * category's answer; a stratified share of each file's questions is held out (the
 * classifier's split, file by file), and validation ranks the whole base (an answer is right
 * when its category is the question's).
 */
export function kbTrainingSets(
  files: ReadonlyArray<readonly PairRow[]>,
  kb: readonly KbEntry[],
  valFraction: number,
  seed: number,
): { train: QaExamples; val: EvalSet } {
  const trainRows: PairRow[] = [];
  const valRows: PairRow[] = [];
  for (const rows of files) {
    const labelled = rows.filter((r) => r.label > 0 && r.category !== undefined);
    const split = classifierSplit(labelled, valFraction, seed);
    trainRows.push(...split.train.map((i) => labelled[i]!));
    valRows.push(...split.val.map((i) => labelled[i]!));
  }
  if (trainRows.length === 0) throw new Error('no pair names a category of the knowledge base');
  const answers = kb.map((a) => a.text);
  const train: QaExamples = {
    questions: trainRows.map((r) => r.question),
    positives: Int32Array.from(trainRows, (r) => answerFor(kb, r.category!, r.question)),
    negatives: trainRows.map(() => new Int32Array(0)),
    answers,
  };
  const all = Int32Array.from(kb, (_, i) => i);
  const val: EvalSet = {
    questions: valRows.map((r) => r.question),
    answers,
    lists: valRows.map((r) => ({
      candidates: all,
      labels: Uint8Array.from(kb, (a) => (a.category === r.category ? 1 : 0)),
    })),
  };
  return { train, val };
}

/**
 * Pairs split by question for validation (when no separate validation file is given). A
 * held-out question with wrong candidates of its own ranks them (WikiQA style); one with only
 * right answers ranks every held-out question's answers.
 */
export function splitLists(
  lists: readonly RankingQuestion[],
  valFraction: number,
  seed: number,
): { train: RankingQuestion[]; val: EvalSet } {
  const rng = seededRandom(seed ^ 0x51ed);
  const order = lists.map((_, i) => ({ i, r: rng.next() })).sort((a, b) => a.r - b.r);
  const cut = Math.max(1, Math.round(lists.length * valFraction));
  const valIdx = new Set(order.slice(0, cut).map((x) => x.i));
  const held = lists.filter((q, i) => valIdx.has(i) && q.labels.some((l) => l > 0));
  const ranked = held.filter((q) => q.labels.some((l) => l === 0));
  const pool = [...new Set(held.flatMap((q) => q.candidates.filter((_, j) => q.labels[j]! > 0)))];
  const pooled: RankingQuestion[] = held
    .filter((q) => q.labels.every((l) => l > 0))
    .map((q) => ({
      ...q,
      candidates: pool,
      labels: Uint8Array.from(pool, (a) => (q.candidates.includes(a) ? 1 : 0)),
    }));
  return { train: lists.filter((_, i) => !valIdx.has(i)), val: evalSetFromLists([...ranked, ...pooled]) };
}
