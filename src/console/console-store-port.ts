import type {
  ConversationStatus,
  OperatorActionKind,
  OperatorActionRecord,
} from '../core/conversation-port.js';
import type { Suggestion } from '../core/ports.js';
import type { ConsoleMessage } from './protocol.js';

export type { OperatorActionKind, OperatorActionRecord };

/** An operator as colleagues see them in the console. */
export interface ConsoleOperator {
  login: string;
  name: string;
  role: 'operator' | 'supervisor';
  language: 'en' | 'ru';
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

/**
 * A conversation's line as stored. The store knows no wire type: the console maps it to the
 * protocol's `QueueItem`, adding the bot file's priority facts (sensitive, SLA).
 */
export interface StoredQueueItem {
  conversationId: number;
  bot: string;
  channel: string;
  customer: { id: string | null; name: string | null };
  firstLine: string;
  lastLine: string;
  category: string | null;
  confidence: number | null;
  status: ConversationStatus;
  queue: string | null;
  assignedTo: string | null;
  /** When the customer started waiting for a person (ms since the epoch). */
  waitingSince: number;
  language: string | null;
}

/** A message as the console reads it from the store; the console maps it to the protocol's `ConsoleMessage`. */
export interface StoredMessage {
  id: number;
  direction: 'in' | 'out';
  author: 'customer' | 'bot' | 'operator' | 'system';
  operator: string | null;
  text: string;
  createdAt: number;
}

/** The wire form of a stored message (only the protocol's fields go out). */
export function toConsoleMessage(m: StoredMessage): ConsoleMessage {
  return {
    id: m.id,
    direction: m.direction,
    author: m.author,
    operator: m.operator,
    text: m.text,
    createdAt: m.createdAt,
  };
}

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

/**
 * What the console reads and writes in the store. An action that goes with a reply or a
 * conversation change is passed to the conversation store with it (one transaction);
 * `recordAction` stores an action on its own.
 */
export interface ConsoleStore {
  queue(): Promise<StoredQueueItem[]>;
  queueItem(conversationId: number): Promise<StoredQueueItem | undefined>;
  /** A conversation's line whatever its status (resolved ones open read-only). */
  conversationItem(conversationId: number): Promise<StoredQueueItem | undefined>;
  operators(): Promise<ConsoleOperator[]>;
  setOperatorLanguage(login: string, language: 'en' | 'ru'): Promise<void>;
  /** Categories operators created for a bot that its classifier does not know yet. */
  createdCategories(bot: string): Promise<string[]>;
  /** Records a created category; false when it already existed. */
  createCategory(bot: string, name: string, operator: string): Promise<boolean>;
  /** Conversations of any status matching an id, a customer, a category or a message's text; newest first. */
  search(query: string, limit: number): Promise<StoredQueueItem[]>;
  /** The customer's other conversations (same customer id), newest first. */
  earlierConversations(conversationId: number, limit: number): Promise<StoredQueueItem[]>;
  addNote(conversationId: number, operator: string, text: string): Promise<ConsoleNote>;
  notes(conversationId: number): Promise<ConsoleNote[]>;
  savedReplies(operator: string): Promise<SavedReply[]>;
  saveReply(operator: string, title: string, text: string): Promise<SavedReply>;
  /** Active answers of a knowledge base whose text contains every word of `query`. */
  kbSearch(kb: string, query: string, limit: number): Promise<KbHit[]>;
  history(conversationId: number, limit?: number): Promise<StoredMessage[]>;
  messagesById(ids: readonly number[]): Promise<Array<StoredMessage & { conversationId: number }>>;
  lastInbound(conversationId: number): Promise<{ id: number; text: string } | undefined>;
  latestSuggestions(conversationId: number): Promise<Suggestion[]>;
  predictionsFor(messageId: number): Promise<MessagePredictions>;
  recordAction(action: OperatorActionRecord): Promise<number>;
  stats(now: number, days: number, latestReport: string | null): Promise<ConsoleStats>;
}
