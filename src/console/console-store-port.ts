import type { Suggestion } from '../core/ports.js';
import type { ConsoleMessage, QueueItem } from './protocol.js';

/** The kinds of operator action; each is a label for the next training run. */
export type OperatorActionKind =
  | 'take'
  | 'accept_suggestion'
  | 'edit_suggestion'
  | 'reply'
  | 'correct_category'
  | 'resolve'
  | 'hand_back'
  | 'assign';

/** An operator as colleagues see them in the console. */
export interface ConsoleOperator {
  login: string;
  name: string;
  role: 'operator' | 'supervisor';
  language: 'en' | 'ru';
}

/** One operator action as stored. */
export interface OperatorActionRecord {
  conversationId: number;
  /** The customer message the action judged (the latest one at the time). */
  messageId: number | null;
  operator: string;
  action: OperatorActionKind;
  /** The category the operator set or left standing. */
  category: string | null;
  answerId: number | null;
  text: string | null;
  predictionIds: number[];
  /** `{classifier: "name@version", qa: "name@version"}` of the nets that made the predictions. */
  netVersions: Record<string, string>;
}

/** The predictions made on one message. */
export interface MessagePredictions {
  predictionIds: number[];
  netVersions: Record<string, string>;
  classification: { category: string; confidence: number; net: { name: string; version: string } } | null;
}

/** The figures behind the console's stats page. */
export interface ConsoleStats {
  days: number;
  perCategory: Array<{ category: string; count: number }>;
  outcomes: { autoReply: number; handoff: number; fallback: number };
  suggestions: { accepted: number; edited: number; written: number };
  /** Per day: labelled messages whose final operator category equals the classifier's. */
  agreement: Array<{ day: string; agree: number; total: number }>;
  latency: Array<{ kind: string; p50: number; p95: number; n: number }>;
  latestReport: string | null;
  /** The latest rollbacks of the nets, newest first (`npm run nets -- rollback`, the admin API). */
  rollbacks?: Array<{ net: string; from: string; to: string; at: string; by: string; reason: string | null }>;
}

/** A queue line as stored; the console adds the bot file's priority facts (sensitive, SLA). */
export type StoredQueueItem = Omit<QueueItem, 'sensitive' | 'slaDueAt'>;

/** An internal note on a conversation: operators see it, customers never do. */
export interface ConsoleNote {
  id: number;
  conversationId: number;
  operator: string;
  text: string;
  createdAt: number;
}

/** A reply an operator saved for reuse. */
export interface SavedReply {
  id: number;
  title: string;
  text: string;
}

/** A knowledge-base answer found from the reply box. */
export interface KbHit {
  answerId: number;
  text: string;
  category: string | null;
  language: string;
}

/** What the console reads and writes in the store. */
export interface ConsoleStore {
  queue(): StoredQueueItem[];
  queueItem(conversationId: number): StoredQueueItem | undefined;
  /** A conversation's line whatever its status (resolved ones open read-only). */
  conversationItem(conversationId: number): StoredQueueItem | undefined;
  operators(): ConsoleOperator[];
  setOperatorLanguage(login: string, language: 'en' | 'ru'): void;
  /** Categories operators created for a bot that its classifier does not know yet. */
  createdCategories(bot: string): string[];
  /** Records a created category; false when it already existed. */
  createCategory(bot: string, name: string, operator: string): boolean;
  /** Conversations of any status matching an id, a customer, a category or a message's text; newest first. */
  search(query: string, limit: number): StoredQueueItem[];
  /** The customer's other conversations (same customer id), newest first. */
  earlierConversations(conversationId: number, limit: number): StoredQueueItem[];
  addNote(conversationId: number, operator: string, text: string): ConsoleNote;
  notes(conversationId: number): ConsoleNote[];
  savedReplies(operator: string): SavedReply[];
  saveReply(operator: string, title: string, text: string): SavedReply;
  /** Active answers of a knowledge base whose text contains every word of `query`. */
  kbSearch(kb: string, query: string, limit: number): KbHit[];
  history(conversationId: number, limit?: number): ConsoleMessage[];
  messagesById(ids: readonly number[]): Array<ConsoleMessage & { conversationId: number }>;
  lastInbound(conversationId: number): { id: number; text: string } | undefined;
  latestSuggestions(conversationId: number): Suggestion[];
  predictionsFor(messageId: number): MessagePredictions;
  recordAction(action: OperatorActionRecord): number;
  stats(now: number, days: number, latestReport: string | null): ConsoleStats;
  /** Runs `fn` in one transaction: an action and the reply it describes are stored together or not at all. */
  atomically<T>(fn: () => T): T;
}
