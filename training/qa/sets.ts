import type { EvalSet } from './eval-set.js';
import type { QaExamples } from './train-qa.js';
import type { RankingQuestion } from './wikiqa.js';

/** Interns texts into one array, returning each text's index. */
class TextPool {
  readonly texts: string[] = [];
  private readonly index = new Map<string, number>();
  add(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.texts.length;
      this.texts.push(text);
      this.index.set(text, i);
    }
    return i;
  }
}

/**
 * Training examples from ranking lists (WikiQA style): one example per right candidate, the
 * list's wrong candidates as its hard negatives. Lists with no right candidate add nothing.
 */
export function examplesFromLists(lists: readonly RankingQuestion[]): QaExamples {
  const pool = new TextPool();
  const questions: string[] = [];
  const positives: number[] = [];
  const negatives: Int32Array[] = [];
  for (const q of lists) {
    const ids = q.candidates.map((c) => pool.add(c));
    const wrong = Int32Array.from(ids.filter((_, i) => q.labels[i] === 0));
    ids.forEach((id, i) => {
      if (q.labels[i] !== 1) return;
      questions.push(q.question);
      positives.push(id);
      negatives.push(wrong);
    });
  }
  return { questions, positives: Int32Array.from(positives), negatives, answers: pool.texts };
}

/** An evaluation set that ranks each question's own candidates. */
export function evalSetFromLists(lists: readonly RankingQuestion[]): EvalSet {
  const pool = new TextPool();
  return {
    questions: lists.map((q) => q.question),
    lists: lists.map((q) => ({
      candidates: Int32Array.from(q.candidates, (c) => pool.add(c)),
      labels: q.labels,
    })),
    answers: pool.texts,
  };
}
