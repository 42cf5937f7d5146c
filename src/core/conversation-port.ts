/**
 * What the pipeline and the operators' actions need from the store: conversations, their
 * messages and the decisions made on them. The store implements it (SQLite or PostgreSQL),
 * each method in one transaction.
 */
import type { ChannelName, PredictionRecord, Suggestion } from './ports.js';
import type { PlannedSend, ReplyAction } from './replies.js';

/** Where a conversation stands: the bot answers, it waits for an operator, one took it, or it is closed. */
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'resolved';

/** A conversation as the core sees it. */
export interface ConversationRecord {
  id: number;
  bot: string;
  channel: ChannelName;
  chatId: string;
  customerId: string | null;
  customerName: string | null;
  language: string | null;
  status: ConversationStatus;
  queue: string | null;
  assignedOperator: string | null;
  category: string | null;
  confidence: number | null;
  /** What the channel needs to reply (account ids, endpoints, callback URL), as the adapter stored it. */
  replyContext: unknown;
  createdAt: number;
  updatedAt: number;
}

/** One stored message of a conversation. */
export interface MessageRecord {
  id: number;
  conversationId: number;
  direction: 'in' | 'out';
  author: 'customer' | 'bot' | 'operator' | 'system';
  operator: string | null;
  channel: ChannelName;
  externalId: string | null;
  text: string;
  meta: Record<string, unknown> | null;
  createdAt: number;
}

/** A change of a conversation's state; omitted fields keep their value. */
export interface ConversationChange {
  status?: ConversationStatus;
  assignedOperator?: string | null;
  queue?: string | null;
  /** An operator's correction of the predicted category. */
  category?: string;
  /**
   * A take: apply the change only while the conversation is unassigned or assigned to this
   * operator. Otherwise nothing changes and the conversation is returned as it stands (its
   * `assignedOperator` tells who holds it).
   */
  ifFreeFor?: string;
}

/** What the bot did with one inbound message. */
export type DecisionAction = 'auto_reply' | 'handoff' | 'fallback' | 'silent';

/** The policy's verdict for one inbound message, stored beside it. */
export interface Decision {
  action: DecisionAction;
  /** Why: `confident`, `low_confidence`, `sensitive_category`, `operator_active`, ... */
  reason: string;
  category: string | null;
  confidence: number | null;
  suggestions: Suggestion[];
  queue: string | null;
  /** The text sent to the customer, if any. */
  replyText: string | null;
  language: string;
}

/** One reply to record: the action, whether it shows in the history, and its platform calls. */
export interface RecordedReply {
  action: ReplyAction;
  author: 'bot' | 'operator' | 'system';
  operator?: string;
  /** Stored as an outbound message of the conversation (customer-visible text). */
  visible: boolean;
  sends: PlannedSend[];
}

/** Everything one processed message changes, committed together. */
export interface ProcessingOutcome {
  messageId: number;
  conversationId: number;
  bot: string;
  channel: ChannelName;
  decision: Decision;
  predictions: PredictionRecord[];
  /** New conversation state; omitted fields keep their value. */
  conversation: { status?: ConversationStatus; queue?: string | null; language?: string };
  replies: RecordedReply[];
  jobId?: number;
  /** The caller answers a client with this outcome as soon as it is stored (the REST API), so it must reach the disk first. */
  durable?: boolean;
}

/** The ids a committed reply produced. */
export interface RecordedIds {
  outboxIds: number[];
  messageIds: number[];
}

/** A stored decision with the message it was made on (what `GET /tickets/:id` shows). */
export interface TicketView {
  message: MessageRecord;
  conversation: ConversationRecord;
  decision: Decision | null;
  replies: MessageRecord[];
}

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

/** One operator action as stored (a label for the next training run). */
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

/**
 * The store's side of conversations, for the core. Every method is one transaction; an
 * operator's action passed with a change or a reply is stored in that same transaction
 * (the label and what it describes are stored together or not at all).
 */
export interface ConversationStore {
  /** A message with its conversation, or undefined. */
  loadMessage(
    messageId: number,
  ): Promise<{ message: MessageRecord; conversation: ConversationRecord } | undefined>;
  /** A conversation by id. */
  getConversation(id: number): Promise<ConversationRecord | undefined>;
  /** Finds or creates the conversation of a chat (e.g. when a bot is added to one before anyone writes). */
  ensureConversation(c: {
    bot: string;
    channel: ChannelName;
    chatId: string;
    customerId?: string;
    customerName?: string;
    language?: string;
    replyContext?: unknown;
  }): Promise<ConversationRecord>;
  /** A conversation by its channel's chat id. */
  findConversation(
    bot: string,
    channel: ChannelName,
    chatId: string,
  ): Promise<ConversationRecord | undefined>;
  /** Messages of a conversation after `afterId`, oldest first. */
  listMessages(conversationId: number, afterId?: number, limit?: number): Promise<MessageRecord[]>;
  /** Commits a decision: predictions, decision, conversation state, replies and their outbox items, job done. */
  recordOutcome(outcome: ProcessingOutcome): Promise<RecordedIds>;
  /**
   * Commits replies outside the pipeline (operators, greetings), optionally changing the
   * conversation and recording the operator's action, all in one transaction.
   */
  recordReplies(
    conversationId: number,
    replies: RecordedReply[],
    change?: { status?: ConversationStatus; assignedOperator?: string | null; queue?: string | null },
    action?: OperatorActionRecord,
  ): Promise<RecordedIds>;
  /** Changes a conversation's state without a reply, with the operator's action in the same transaction. */
  updateConversation(
    conversationId: number,
    change: ConversationChange,
    action?: OperatorActionRecord,
  ): Promise<ConversationRecord | undefined>;
  /** Stores a message an operator wrote on the platform itself (seen in a webhook), marking the conversation taken. */
  recordOperatorMessage(
    conversationId: number,
    text: string,
    operator: string,
    externalId?: string,
  ): Promise<number>;
  /** A suggestion offered in one of the conversation's recent decisions (the customer may pick it). */
  findSuggestion(conversationId: number, answerId: number): Promise<Suggestion | undefined>;
  /** The ticket view of an inbound message. */
  ticket(messageId: number): Promise<TicketView | undefined>;
}
