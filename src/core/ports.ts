/**
 * What the core needs from the world, as interfaces. The store implements them (SQLite or
 * PostgreSQL, every method returns a promise); tests may implement them in memory. Nothing here imports express, ws or SQLite.
 */

/** A source of the current time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The name of a channel a message can arrive through. The core knows no channel: the
 * names are the ones `src/channels/index.ts` lists.
 */
export type ChannelName = string;

/** One inbound message, normalised from whatever the platform sent. */
export interface InboundMessage {
  bot: string;
  channel: ChannelName;
  /** The platform's id for this delivery (update_id, event_id, ...): the dedupe key. */
  deliveryId: string;
  /** The platform's id of the chat or conversation, so replies go back to it. */
  chatId: string;
  externalMessageId?: string;
  customerId?: string;
  customerName?: string;
  text: string;
  language?: string;
  /** What the channel needs later to reply (endpoints, account ids): stored as JSON. */
  replyContext?: unknown;
  meta?: unknown;
}

/** What accepting a delivery did. */
export interface AcceptResult {
  duplicate: boolean;
  conversationId: number;
  messageId: number;
  jobId?: number;
}

/** One delivery to store: the message, and the kind of job that processes it (none: kept for the record only). */
export interface InboxEntry {
  message: InboundMessage;
  jobKind?: string;
}

/** The durable inbox: dedupe + message + processing job, committed together. */
export interface Inbox {
  accept(message: InboundMessage, jobKind?: string): Promise<AcceptResult>;
  /** Stores several deliveries in one commit; each gets its result or its own error. */
  acceptMany(entries: readonly InboxEntry[]): Promise<Array<AcceptResult | Error>>;
}

/** A unit of background work. */
export interface Job {
  id: number;
  kind: string;
  payload: unknown;
  attempts: number;
}

/** The processing queue that survives restarts. */
export interface JobQueue {
  claimDue(limit: number): Promise<Job[]>;
  /** Claims one pending job by id (for inline processing); undefined if it is not pending. */
  claim(id: number): Promise<Job | undefined>;
  complete(id: number): Promise<void>;
  fail(id: number, error: string, retryAt: number | null): Promise<void>;
  requeueRunning(): Promise<number>;
}

/** A reply waiting to be delivered to a platform. */
export interface OutboxItem {
  id: number;
  conversationId: number | null;
  messageId: number | null;
  channel: ChannelName;
  bot: string;
  kind: string;
  payload: unknown;
  attempts: number;
}

/** What to enqueue in the outbox. */
export interface NewOutboxItem {
  conversationId?: number | null;
  messageId?: number | null;
  channel: ChannelName;
  bot: string;
  kind: string;
  payload: unknown;
}

/** The durable outbox: replies retried with backoff until sent or dead-lettered. */
export interface Outbox {
  enqueue(item: NewOutboxItem): Promise<number>;
  claimDue(limit: number): Promise<OutboxItem[]>;
  markSent(id: number): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number | null): Promise<void>;
  requeueSending(): Promise<number>;
  counts(): Promise<Record<'pending' | 'sending' | 'sent' | 'dead', number>>;
}

/** One prediction made by a net, stored with the net's name and version. */
export interface PredictionRecord {
  messageId: number | null;
  kind: 'classify' | 'suggest';
  netName: string;
  netVersion: string;
  label: string | null;
  confidence: number | null;
  top: unknown;
  latencyMs: number;
}

/** Where predictions are recorded. */
export interface PredictionLog {
  record(prediction: PredictionRecord): Promise<number>;
}

/** Which net made a prediction: its name and the version folder it was loaded from. */
export interface NetRef {
  name: string;
  version: string;
}

/** A ticket's predicted category, with calibrated confidence and the runners-up. */
export interface Classification {
  category: string;
  confidence: number;
  /** True when the confidence is under the threshold stored with the net. */
  unsure: boolean;
  top: Array<{ category: string; confidence: number }>;
  net: NetRef;
  latencyMs: number;
}

/** Classifies text with a named net (the bot's classifier). */
export interface TicketClassifier {
  classify(netName: string, text: string): Promise<Classification>;
}

/** One suggested answer from the knowledge base. */
export interface Suggestion {
  answerId: number;
  text: string;
  score: number;
  category: string | null;
  /** The answer's language (absent on suggestions stored before it was recorded). */
  language?: string | null;
}

/** The best answers for a text, with the score above which the bot may answer by itself. */
export interface SuggestionResult {
  suggestions: Suggestion[];
  net: NetRef;
  threshold: number;
  latencyMs: number;
}

/** What one suggestion call asks. */
export interface SuggestOptions {
  k: number;
  /** With `filter`, only this category's answers; with `boost` (an explicit caller's choice), those first. */
  category?: string;
  categoryMode?: 'boost' | 'filter';
  kb?: string;
  /**
   * The customer's language: its answers only, when one of them is relevant (scores at least
   * `minRelevantScore`, by default the net's threshold); answers of every language otherwise.
   * Always in score order.
   */
  language?: string;
  minRelevantScore?: number;
}

/** Retrieves answers for a text with a named two-tower net over a knowledge base. */
export interface AnswerSuggester {
  suggest(netName: string, text: string, options: SuggestOptions): Promise<SuggestionResult>;
}

/** A product as a reply shows it: a button, a link card or a line of text. */
export interface ProductCard {
  id: string;
  title: string;
  url: string | null;
  price: number | null;
  /** A picture of the product (the catalogue's `image` attribute), for channels that show cards. */
  image?: string;
}

/** What the shop knows a conversation to be about. */
export interface ProductQuery {
  /** The customer's message: it may name a product id or read like a product title. */
  text?: string;
  /** A product the conversation is known to be about (a button pressed, the page of the chat). */
  productId?: string;
  k: number;
  /** Cosine between the text and a title needed to say the conversation is about that product. */
  minTitleSimilarity?: number;
}

/** Products to show with a reply, and the product the conversation is about. */
export interface ProductPicks {
  about: { id: string; title: string };
  /** Which shop model produced the list (e.g. `bought_together`). */
  model: string;
  items: ProductCard[];
}

/** The shop's recommendations as the core sees them. */
export interface ProductRecommender {
  /** Null when the conversation is not about a known product, or the shop has no model yet. */
  forConversation(q: ProductQuery): ProductPicks | null;
}
