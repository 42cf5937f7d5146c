import { z } from 'zod';

/**
 * The console's websocket protocol, version 1. docs/console-protocol.md is its prose form;
 * the schemas here are what the server enforces. Every client request carries an `id`
 * that the server echoes in its `ack` or `error`.
 */
export const PROTOCOL_VERSION = 1;

const conversationId = z.number().int().positive();
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
  z.object({ ...base, type: z.literal('take'), conversationId }),
  z.object({
    ...base,
    type: z.literal('reply'),
    conversationId,
    text: z.string().trim().min(1).max(4000),
    /** The suggested answer this reply started from, if any (accepted as is or edited). */
    answerId: z.number().int().positive().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('correct_category'),
    conversationId,
    category: z.string().min(1).max(100),
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
}

/** Something that happened, pushed to every signed-in console. */
export type ConsoleEvent =
  | { kind: 'queue.upsert'; item: QueueItem }
  | { kind: 'queue.remove'; conversationId: number }
  | { kind: 'message.added'; conversationId: number; message: ConsoleMessage }
  /** The customer is typing (the chat widget); ephemeral. */
  | { kind: 'typing'; conversationId: number };

/** A message as the console shows it. */
export interface ConsoleMessage {
  id: number;
  direction: 'in' | 'out';
  author: 'customer' | 'bot' | 'operator' | 'system';
  operator: string | null;
  text: string;
  createdAt: number;
}

/** Display names of categories: bot → language → category → name (from the bots' files). */
export type CategoryNames = Record<string, Record<string, Record<string, string>>>;

/** Frames the server sends. */
export type ServerMessage =
  | {
      v: 1;
      type: 'welcome';
      epoch: string;
      seq: number;
      operator: { login: string; name: string; language: string };
      categoryNames: CategoryNames;
    }
  | { v: 1; type: 'snapshot'; seq: number; queue: QueueItem[] }
  | { v: 1; type: 'event'; seq: number; event: ConsoleEvent }
  | { v: 1; type: 'ack'; id: string; result?: unknown }
  | { v: 1; type: 'error'; id: string | null; code: string; message: string };
