import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the WikiQA corpus (Yang, Yih & Meek 2015) from its own folder: `WikiQA-SPLIT.txt`
 * (tokenised question, sentence, label per line) and `WikiQA-SPLIT.ref` (TREC qrels whose
 * line i describes line i of the .txt, grouping candidates by question). The corpus is
 * licensed for research only: benchmarks read it by path and it is never copied into the
 * project.
 */

/** One question with its candidate sentences, in the corpus order. */
export interface RankingQuestion {
  id: string;
  question: string;
  candidates: string[];
  labels: Uint8Array;
}

/** The corpus's splits. */
export type WikiQaSplit = 'train' | 'dev' | 'test';

/** The default location, relative to the repository: `../shared/data/wikiqa`. */
export const DEFAULT_WIKIQA_DIR = '../shared/data/wikiqa';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/**
 * The questions of a split. `filtered` keeps the answer-selection test set: questions with
 * at least one right and one wrong candidate (the `-filtered.ref` files of dev and test;
 * for train, computed the same way).
 */
export function readWikiQa(dir: string, split: WikiQaSplit, filtered: boolean): RankingQuestion[] {
  const txt = lines(join(dir, `WikiQA-${split}.txt`));
  const ref = lines(join(dir, `WikiQA-${split}.ref`));
  if (txt.length !== ref.length)
    throw new Error(`WikiQA ${split}: ${txt.length} lines in .txt but ${ref.length} in .ref`);
  const byId = new Map<string, { question: string; candidates: string[]; labels: number[] }>();
  txt.forEach((line, i) => {
    const [question, sentence, label] = line.split('\t');
    const qid = ref[i]!.split(/\s+/)[0]!;
    if (question === undefined || sentence === undefined || label === undefined)
      throw new Error(`WikiQA ${split}.txt line ${i + 1}: expected three tab-separated fields`);
    let q = byId.get(qid);
    if (!q) {
      q = { question, candidates: [], labels: [] };
      byId.set(qid, q);
    }
    q.candidates.push(sentence);
    q.labels.push(label.trim() === '1' ? 1 : 0);
  });
  let keep: Set<string> | undefined;
  if (filtered && split !== 'train') {
    keep = new Set(lines(join(dir, `WikiQA-${split}-filtered.ref`)).map((l) => l.split(/\s+/)[0]!));
  }
  const out: RankingQuestion[] = [];
  for (const [id, q] of byId) {
    const positives = q.labels.filter((l) => l === 1).length;
    if (keep ? !keep.has(id) : filtered && (positives === 0 || positives === q.labels.length)) continue;
    out.push({ id, question: q.question, candidates: q.candidates, labels: Uint8Array.from(q.labels) });
  }
  return out;
}
