import { z } from 'zod';
import type { Suggestion } from '../core/ports.js';

/**
 * The console's websocket protocol, version 1. docs/console-protocol.md is its prose form;
 * the schemas here are what the server enforces. Every client request carries an `id`
 * that the server echoes in its `ack` or `error`.
 */
export const PROTOCOL_VERSION = 1;

const conversationId = z.number().int().positive();

/** The longest reply an operator may send (the composer counts down to it). */
export const REPLY_MAX_CHARS = 4000;

/** What a category created by an operator may be called. */
export const CATEGORY_NAME = /^[a-z][a-z0-9_]{1,63}$/;
const base = { v: z.literal(PROTOCOL_VERSION), id: z.string().min(1).max(64) };

/** Requests a client may send. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('hello'),
    /** The epoch and last seq the client saw, to resume without losing events. */
    resume: z.object({ epoch: z.string().max(64), seq: z.number().int().min(0) }).optional(),
  }),
  z.object({ ...base, type: z.literal('open'), conversationId }),
  z.object({
    ...base,
    type: z.literal('take'),
    conversationId,
    /** Required to take a conversation the bot is handling (handed back) or a resolved one. */
    confirm: z.boolean().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('reply'),
    conversationId,
    text: z.string().trim().min(1).max(REPLY_MAX_CHARS),
    /** The suggested answer this reply started from, if any (accepted as is or edited). */
    answerId: z.number().int().positive().optional(),
    /** Required to reply in a resolved conversation: the reply reopens it. */
    reopen: z.boolean().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('correct_category'),
    conversationId,
    /** One of the classifier's categories (or one operators created with `new_category`). */
    category: z.string().min(1).max(100),
  }),
  z.object({
    ...base,
    type: z.literal('new_category'),
    conversationId,
    /** A category the classifier does not know yet: lower case, digits and `_`. */
    category: z.string().regex(CATEGORY_NAME, 'must be lower case letters, digits and _ (2 to 64)'),
  }),
  z.object({
    ...base,
    type: z.literal('assign'),
    conversationId,
    /** The colleague's login. */
    to: z.string().min(1).max(100),
  }),
  z.object({ ...base, type: z.literal('set_language'), language: z.enum(['en', 'ru']) }),
  /** Conversations of any status by id, customer, category or text (history). */
  z.object({ ...base, type: z.literal('search'), query: z.string().trim().min(1).max(200) }),
  /** An internal note: colleagues see it, the customer never does. */
  z.object({
    ...base,
    type: z.literal('add_note'),
    conversationId,
    text: z.string().trim().min(1).max(2000),
  }),
  /** Answers of the conversation's bot's knowledge base containing the query's words. */
  z.object({ ...base, type: z.literal('kb_search'), conversationId, query: z.string().trim().max(200) }),
  /** Adds a reply written from scratch to the knowledge base, for the conversation's category and language. */
  z.object({
    ...base,
    type: z.literal('kb_add'),
    conversationId,
    text: z.string().trim().min(1).max(REPLY_MAX_CHARS),
  }),
  z.object({ ...base, type: z.literal('saved_replies') }),
  z.object({
    ...base,
    type: z.literal('save_reply'),
    title: z.string().trim().min(1).max(100),
    text: z.string().trim().min(1).max(REPLY_MAX_CHARS),
  }),
  z.object({ ...base, type: z.literal('resolve'), conversationId }),
  /** The operator is typing a reply: shown in the customer's chat widget. */
  z.object({ ...base, type: z.literal('typing'), conversationId }),
  z.object({ ...base, type: z.literal('hand_back'), conversationId }),
  z.object({ ...base, type: z.literal('stats'), days: z.number().int().min(1).max(90).optional() }),
]);

/** A request from a console client. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** A request other than `hello`: what the console service handles. */
export type ClientRequest = Exclude<ClientMessage, { type: 'hello' }>;

/** One line of the queue. */
export interface QueueItem {
  conversationId: number;
  bot: string;
  channel: string;
  customer: { id: string | null; name: string | null };
  firstLine: string;
  lastLine: string;
  category: string | null;
  confidence: number | null;
  status: 'bot' | 'queued' | 'assigned' | 'resolved';
  queue: string | null;
  assignedTo: string | null;
  /** When the customer started waiting for a person (ms since the epoch). */
  waitingSince: number;
  language: string | null;
  /** A category the bot never answers on its own (`neverAutoAnswer`): these come first. */
  sensitive: boolean;
  /** When the wait breaches the queue's SLA (ms since the epoch), if the bot file sets one. */
  slaDueAt: number | null;
}

/** Something that happened, pushed to every signed-in console. */
export type ConsoleEvent =
  | { kind: 'queue.upsert'; item: QueueItem }
  | { kind: 'queue.remove'; conversationId: number }
  | { kind: 'message.added'; conversationId: number; message: ConsoleMessage }
  /** The bot decided on a new customer message: the open conversation's category and suggestions change. */
  | {
      kind: 'conversation.updated';
      conversationId: number;
      messageId: number;
      classification: Classification | null;
      suggestions: Suggestion[];
    }
  /** A colleague added an internal note. */
  | {
      kind: 'note.added';
      conversationId: number;
      note: { id: number; operator: string; text: string; createdAt: number };
    }
  /** Something a colleague did to `to`'s conversation (assigned, resolved, handed back…). */
  | {
      kind: 'notice';
      to: string;
      notice: 'assigned' | 'reassigned' | 'resolved' | 'handed_back';
      conversationId: number;
      by: string;
    }
  /** The customer is typing (the chat widget); ephemeral. */
  | { kind: 'typing'; conversationId: number };

/** The classifier's verdict on a message, as the console shows it. */
export interface Classification {
  category: string;
  confidence: number;
  net: { name: string; version: string };
}

/** What the console shows of a bot: its queues with their SLAs, sensitive categories, category names. */
export interface BotView {
  queues: string[];
  slaMinutes: Record<string, number>;
  sensitive: string[];
  /** Display names per language: `{ru: {card_arrival: "Доставка карты"}}`. */
  categoryNames: Record<string, Record<string, string>>;
}

/** A message as the console shows it. */
export interface ConsoleMessage {
  id: number;
  direction: 'in' | 'out';
  author: 'customer' | 'bot' | 'operator' | 'system';
  operator: string | null;
  text: string;
  createdAt: number;
}

/** Frames the server sends. */
export type ServerMessage =
  | {
      v: 1;
      type: 'welcome';
      epoch: string;
      seq: number;
      operator: { login: string; name: string; language: string; role: string };
      /** Colleagues (to assign to) and the bots' queues, SLAs and category names. */
      team?: {
        operators: Array<{ login: string; name: string; role: string }>;
        bots: Record<string, BotView>;
      };
    }
  | { v: 1; type: 'snapshot'; seq: number; queue: QueueItem[] }
  | { v: 1; type: 'event'; seq: number; event: ConsoleEvent }
  | { v: 1; type: 'ack'; id: string; result?: unknown }
  | {
      v: 1;
      type: 'error';
      id: string | null;
      code: string;
      message: string;
      /** Why, for the client to say it in the operator's language: `{reason, field, limit, owner}`. */
      details?: Record<string, unknown>;
    };
