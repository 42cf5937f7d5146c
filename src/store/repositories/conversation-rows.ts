import type {
  ConversationRecord,
  ConversationStatus,
  Decision,
  MessageRecord,
} from '../../core/conversation-port.js';
import type { ChannelName, Suggestion } from '../../core/ports.js';

/** A `conversations` row. */
export interface ConversationRow {
  id: number;
  bot: string;
  channel: ChannelName;
  external_chat_id: string;
  customer_id: string | null;
  customer_name: string | null;
  language: string | null;
  status: ConversationStatus;
  queue: string | null;
  assigned_operator: string | null;
  category: string | null;
  confidence: number | null;
  reply_context: string | null;
  created_at: number;
  updated_at: number;
}

/** A `messages` row. */
export interface MessageRow {
  id: number;
  conversation_id: number;
  direction: 'in' | 'out';
  author: MessageRecord['author'];
  operator: string | null;
  channel: ChannelName;
  external_id: string | null;
  text: string;
  meta: string | null;
  created_at: number;
}

/** A `decisions` row. */
export interface DecisionRow {
  message_id: number;
  action: Decision['action'];
  reason: string;
  category: string | null;
  confidence: number | null;
  suggestions: string;
  queue: string | null;
  reply_text: string | null;
  language: string;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Maps a conversation row to the core's shape. */
export function toConversation(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    bot: r.bot,
    channel: r.channel,
    chatId: r.external_chat_id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    language: r.language,
    status: r.status,
    queue: r.queue,
    assignedOperator: r.assigned_operator,
    category: r.category,
    confidence: r.confidence,
    replyContext: parse(r.reply_context),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Maps a message row to the core's shape. */
export function toMessage(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction,
    author: r.author,
    operator: r.operator,
    channel: r.channel,
    externalId: r.external_id,
    text: r.text,
    meta: parse(r.meta) as Record<string, unknown> | null,
    createdAt: r.created_at,
  };
}

/** Maps a decision row to the core's shape. */
export function toDecision(r: DecisionRow): Decision {
  return {
    action: r.action,
    reason: r.reason,
    category: r.category,
    confidence: r.confidence,
    suggestions: JSON.parse(r.suggestions) as Suggestion[],
    queue: r.queue,
    replyText: r.reply_text,
    language: r.language,
  };
}
