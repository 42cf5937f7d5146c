import type Database from 'better-sqlite3';

/** The operator actions that label a customer message with a category. */
export const LABEL_ACTIONS = ['correct_category', 'accept_suggestion', 'edit_suggestion', 'reply'] as const;

/** The operator actions whose text answers the judged customer message. */
export const ANSWER_ACTIONS = ['accept_suggestion', 'edit_suggestion', 'reply'] as const;

/** An operator action that set or left standing a category on a customer message. */
export interface CategoryActionRow {
  actionId: number;
  action: (typeof LABEL_ACTIONS)[number];
  bot: string;
  messageId: number;
  /** The customer message's text. */
  text: string;
  category: string;
  operator: string;
  createdAt: number;
  /** `{classifier: "name@version", ...}` of the nets whose predictions the action judged. */
  netVersions: Record<string, string>;
}

/** An operator's answer to a customer message. */
export interface AnswerActionRow {
  actionId: number;
  action: (typeof ANSWER_ACTIONS)[number];
  bot: string;
  messageId: number;
  question: string;
  answer: string;
  answerId: number | null;
  category: string | null;
  operator: string;
  createdAt: number;
}

/** Which actions to read: one bot (or all), from a time on. */
export interface LabelQuery {
  bot?: string;
  /** Epoch ms; actions before it are left out. */
  since?: number;
}

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
export class SqliteOperatorLabels {
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
  categoryActions(q: LabelQuery = {}): CategoryActionRow[] {
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
  answerActions(q: LabelQuery = {}): AnswerActionRow[] {
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
