import type Database from 'better-sqlite3';
import {
  ANSWER_ACTIONS,
  type AnswerActionRow,
  type CategoryActionRow,
  LABEL_ACTIONS,
  type LabelQuery,
  type OperatorLabelStore,
} from '../../retraining/operator-labels-port.js';

export type { AnswerActionRow, CategoryActionRow, LabelQuery };
export { ANSWER_ACTIONS, LABEL_ACTIONS };

interface CategoryRow {
  id: number;
  action: CategoryActionRow['action'];
  bot: string;
  message_id: number;
  text: string;
  category: string;
  operator: string;
  created_at: number;
  net_versions: string | null;
}

interface AnswerRow {
  id: number;
  action: AnswerActionRow['action'];
  bot: string;
  message_id: number;
  question: string;
  answer: string;
  answer_id: number | null;
  category: string | null;
  operator: string;
  created_at: number;
}

const inList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

/** Reads operators' actions as raw training material, oldest first (the order labels are resolved in). */
export class SqliteOperatorLabels implements OperatorLabelStore {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      categories: db.prepare<{ bot: string | null; since: number }, CategoryRow>(
        `SELECT a.id, a.action, c.bot, a.message_id, m.text, a.category, a.operator, a.created_at, a.net_versions
         FROM operator_actions a
         JOIN messages m ON m.id = a.message_id
         JOIN conversations c ON c.id = a.conversation_id
         WHERE a.action IN (${inList(LABEL_ACTIONS)}) AND a.category IS NOT NULL AND m.direction = 'in'
           AND (@bot IS NULL OR c.bot = @bot) AND a.created_at >= @since
         ORDER BY a.created_at, a.id`,
      ),
      answers: db.prepare<{ bot: string | null; since: number }, AnswerRow>(
        `SELECT a.id, a.action, c.bot, a.message_id, m.text AS question, a.text AS answer, a.answer_id, a.category,
           a.operator, a.created_at
         FROM operator_actions a
         JOIN messages m ON m.id = a.message_id
         JOIN conversations c ON c.id = a.conversation_id
         WHERE a.action IN (${inList(ANSWER_ACTIONS)}) AND a.text IS NOT NULL AND m.direction = 'in'
           AND (@bot IS NULL OR c.bot = @bot) AND a.created_at >= @since
         ORDER BY a.created_at, a.id`,
      ),
    };
  }

  /** Actions that set or confirmed a category on a customer message. */
  async categoryActions(q: LabelQuery = {}): Promise<CategoryActionRow[]> {
    return this.s.categories.all({ bot: q.bot ?? null, since: q.since ?? 0 }).map((r) => ({
      actionId: r.id,
      action: r.action,
      bot: r.bot,
      messageId: r.message_id,
      text: r.text,
      category: r.category,
      operator: r.operator,
      createdAt: r.created_at,
      netVersions: r.net_versions ? (JSON.parse(r.net_versions) as Record<string, string>) : {},
    }));
  }

  /** Actions that answered a customer message (accepted, edited or written replies). */
  async answerActions(q: LabelQuery = {}): Promise<AnswerActionRow[]> {
    return this.s.answers.all({ bot: q.bot ?? null, since: q.since ?? 0 }).map((r) => ({
      actionId: r.id,
      action: r.action,
      bot: r.bot,
      messageId: r.message_id,
      question: r.question,
      answer: r.answer,
      answerId: r.answer_id,
      category: r.category,
      operator: r.operator,
      createdAt: r.created_at,
    }));
  }
}
