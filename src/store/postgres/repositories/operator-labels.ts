import {
  ANSWER_ACTIONS,
  type AnswerActionRow,
  type CategoryActionRow,
  LABEL_ACTIONS,
  type LabelQuery,
  type OperatorLabelStore,
} from '../../../retraining/operator-labels-port.js';
import type { PgPool } from '../db.js';

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

/** Reads operators' actions from PostgreSQL as raw training material, oldest first. */
export class PgOperatorLabels implements OperatorLabelStore {
  constructor(private readonly pool: PgPool) {}

  /** Actions that set or confirmed a category on a customer message. */
  async categoryActions(q: LabelQuery = {}): Promise<CategoryActionRow[]> {
    const { rows } = await this.pool.query<CategoryRow>(
      `SELECT a.id, a.action, c.bot, a.message_id, m.text, a.category, a.operator, a.created_at, a.net_versions
       FROM operator_actions a
       JOIN messages m ON m.id = a.message_id
       JOIN conversations c ON c.id = a.conversation_id
       WHERE a.action = ANY($1::text[]) AND a.category IS NOT NULL AND m.direction = 'in'
         AND ($2::text IS NULL OR c.bot = $2) AND a.created_at >= $3
       ORDER BY a.created_at, a.id`,
      [LABEL_ACTIONS, q.bot ?? null, q.since ?? 0],
    );
    return rows.map((r) => ({
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
    const { rows } = await this.pool.query<AnswerRow>(
      `SELECT a.id, a.action, c.bot, a.message_id, m.text AS question, a.text AS answer, a.answer_id, a.category,
         a.operator, a.created_at
       FROM operator_actions a
       JOIN messages m ON m.id = a.message_id
       JOIN conversations c ON c.id = a.conversation_id
       WHERE a.action = ANY($1::text[]) AND a.text IS NOT NULL AND m.direction = 'in'
         AND ($2::text IS NULL OR c.bot = $2) AND a.created_at >= $3
       ORDER BY a.created_at, a.id`,
      [ANSWER_ACTIONS, q.bot ?? null, q.since ?? 0],
    );
    return rows.map((r) => ({
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
