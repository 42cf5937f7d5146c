/**
 * Replies as the core decides them, and the seam to the channels that deliver them.
 * The core says *what* to tell the customer; each channel turns that into its platform's
 * calls (`plan`) and makes them (`send`). Every planned call is its own outbox item, so a
 * handoff that needs a message and a status change never repeats the message when only
 * the status change is retried.
 */
import type { ConversationRecord } from './conversation-port.js';
import type { ChannelName, OutboxItem, ProductCard, Suggestion } from './ports.js';

/** A button under a reply; `action` comes back in the platform's callback. */
export interface ReplyButton {
  text: string;
  action: string;
}

/** A suggested answer the customer may pick while waiting for a person (button action `answer:<id>`). */
export interface AnswerOption {
  answerId: number;
  text: string;
}

/** The button action that picks a suggested answer. */
export const answerAction = (answerId: number) => `answer:${answerId}`;

/** The answer id of an `answer:<id>` button action, if it is one. */
export function answerIdOf(action: string): number | undefined {
  const m = /^answer:(\d{1,12})$/.exec(action);
  return m ? Number(m[1]) : undefined;
}

/** The button action that asks for what goes with a product (`product:<id>`). */
export const productAction = (productId: string) => `product:${productId}`;

/** The product id of a `product:<id>` button action, if it is one. */
export function productIdOf(action: string): string | undefined {
  const m = /^product:([\p{L}\p{N}_.:-]{1,56})$/u.exec(action);
  return m ? m[1] : undefined;
}

/** Products as text, one per line: for channels without buttons or cards. */
export function productLines(heading: string, items: readonly ProductCard[]): string {
  const line = (p: ProductCard) =>
    `• ${p.title}${p.price !== null ? ` — ${p.price.toFixed(2)}` : ''}${p.url ? ` ${p.url}` : ''}`;
  return [heading, ...items.map(line)].join('\n');
}

/** What to tell the customer (or the operators), independent of the platform. */
export type ReplyAction =
  | { kind: 'message'; text: string; buttons?: ReplyButton[] }
  | { kind: 'handoff'; text: string; queue: string; options?: AnswerOption[] }
  | { kind: 'suggestions'; text: string; suggestions: Suggestion[] }
  | { kind: 'callback_answer'; callbackId: string; text?: string }
  /** Products to look at; `text` is the heading with one line per product, `heading` alone. */
  | { kind: 'products'; text: string; heading: string; items: ProductCard[] };

/** One platform call: its kind (e.g. `sendMessage`) and the body to send. */
export interface PlannedSend {
  kind: string;
  payload: unknown;
}

/** Context of a plan: whether the reply already reached the customer in an HTTP response. */
export interface PlanContext {
  deliveredInline: boolean;
  author: 'bot' | 'operator' | 'system';
  /** The operator's login, when an operator wrote the reply (the chat widget shows their name). */
  operator?: string;
  /** The stored message id, when the reply is a visible message (set by the store before sending). */
  messageId?: number;
}

/** How one send attempt ended. `retry` is retried with backoff; `failed` goes straight to dead-letter. */
export type SendOutcome =
  | { status: 'sent'; externalId?: string }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'failed'; error: string };

/** A channel's outbound side: plans a reply into platform calls and performs one call. */
export interface ChannelOutbound {
  channel: ChannelName;
  plan(action: ReplyAction, conversation: ConversationRecord, context: PlanContext): PlannedSend[];
  send(item: OutboxItem): Promise<SendOutcome>;
}

/** The outbound sides of all channels, by name. */
export type ChannelOutbounds = ReadonlyMap<ChannelName, ChannelOutbound>;
