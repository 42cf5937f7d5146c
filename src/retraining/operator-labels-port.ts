/** What retraining reads from the store: operators' actions as raw training material. */

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

/** Operators' actions, oldest first (the order labels are resolved in: `created_at`, then id). */
export interface OperatorLabelStore {
  /** Actions that set or confirmed a category on a customer message (action with a category, inbound message). */
  categoryActions(q?: LabelQuery): Promise<CategoryActionRow[]>;
  /** Actions that answered a customer message (accepted, edited or written replies). */
  answerActions(q?: LabelQuery): Promise<AnswerActionRow[]>;
}
