import type { AnswerActionRow, CategoryActionRow } from '../../src/retraining/operator-labels-port.js';

/** Where a label came from: an explicit correction, or a category the operator left standing. */
export type LabelSource = 'correction' | 'confirmation';

/** One labelled customer text, resolved from every action on texts like it. */
export interface DerivedLabel {
  text: string;
  category: string;
  source: LabelSource;
  operator: string;
  /** When the winning action was taken (epoch ms). */
  at: number;
  messageId: number;
  actionId: number;
  bot: string;
}

/** What deriving the labels kept and dropped, for the report. */
export interface LabelStats {
  /** Actions read. */
  actions: number;
  corrections: number;
  confirmations: number;
  /** Actions on an empty (or whitespace-only) text or with an empty category. */
  empty: number;
  /** Actions that repeat the winning label of their text. */
  duplicates: number;
  /** Actions whose category lost to the winning one (a later one, or a correction over a confirmation). */
  conflicts: number;
  /** Labels kept: one per distinct text. */
  kept: number;
  perCategory: Record<string, number>;
}

/** An operator's answer to a customer question: one training pair of the Q/A net. */
export interface DerivedPair {
  question: string;
  answer: string;
  answerId: number | null;
  source: AnswerActionRow['action'];
  category: string | null;
  operator: string;
  at: number;
  messageId: number;
  actionId: number;
  bot: string;
}

/**
 * The identity of a text for deduplication: Unicode-normalised (NFKC), lower case, whitespace
 * collapsed. Two messages that differ only in case or spacing are the same training example.
 */
export function textKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const sourceOf = (action: CategoryActionRow['action']): LabelSource =>
  action === 'correct_category' ? 'correction' : 'confirmation';

/**
 * Turns category actions (oldest first) into one label per distinct text. A correction
 * (`correct_category`) outranks a confirmation (a reply, accepted or edited suggestion that
 * left the category standing); among actions of the same rank the latest wins.
 */
export function deriveLabels(rows: readonly CategoryActionRow[]): {
  labels: DerivedLabel[];
  stats: LabelStats;
} {
  const stats: LabelStats = {
    actions: rows.length,
    corrections: 0,
    confirmations: 0,
    empty: 0,
    duplicates: 0,
    conflicts: 0,
    kept: 0,
    perCategory: {},
  };
  const byKey = new Map<string, CategoryActionRow[]>();
  for (const r of rows) {
    if (r.action === 'correct_category') stats.corrections++;
    else stats.confirmations++;
    const key = textKey(r.text);
    if (key === '' || r.category.trim() === '') {
      stats.empty++;
      continue;
    }
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const labels: DerivedLabel[] = [];
  for (const group of byKey.values()) {
    const corrections = group.filter((r) => r.action === 'correct_category');
    const pool = corrections.length > 0 ? corrections : group;
    const winner = pool.reduce((a, b) =>
      b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.actionId > a.actionId) ? b : a,
    );
    const category = winner.category.trim();
    for (const r of group) {
      if (r === winner) continue;
      if (r.category.trim() === category) stats.duplicates++;
      else stats.conflicts++;
    }
    labels.push({
      text: winner.text.trim(),
      category,
      source: sourceOf(winner.action),
      operator: winner.operator,
      at: winner.createdAt,
      messageId: winner.messageId,
      actionId: winner.actionId,
      bot: winner.bot,
    });
  }
  labels.sort((a, b) => a.at - b.at || a.actionId - b.actionId);
  stats.kept = labels.length;
  for (const l of labels) stats.perCategory[l.category] = (stats.perCategory[l.category] ?? 0) + 1;
  return { labels, stats };
}

/**
 * Turns answer actions (oldest first) into question → answer pairs: one per distinct question
 * (the latest answer wins), empty questions and answers dropped.
 */
export function deriveAnswerPairs(rows: readonly AnswerActionRow[]): {
  pairs: DerivedPair[];
  stats: { actions: number; empty: number; replaced: number; kept: number };
} {
  const byQuestion = new Map<string, AnswerActionRow>();
  let empty = 0;
  let replaced = 0;
  for (const r of rows) {
    const key = textKey(r.question);
    if (key === '' || r.answer.trim() === '') {
      empty++;
      continue;
    }
    if (byQuestion.has(key)) replaced++;
    byQuestion.set(key, r);
  }
  const pairs = [...byQuestion.values()]
    .sort((a, b) => a.createdAt - b.createdAt || a.actionId - b.actionId)
    .map((r) => ({
      question: r.question.trim(),
      answer: r.answer.trim(),
      answerId: r.answerId,
      source: r.action,
      category: r.category,
      operator: r.operator,
      at: r.createdAt,
      messageId: r.messageId,
      actionId: r.actionId,
      bot: r.bot,
    }));
  return { pairs, stats: { actions: rows.length, empty, replaced, kept: pairs.length } };
}
