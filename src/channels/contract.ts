/**
 * The whole contract between the gateway and a messaging platform. A platform is one folder
 * under `src/channels/` exporting one {@link Channel}: its bot-file section and secrets, its
 * API base URLs, the headers never to log, its webhook (`verify` and `parse`; the route
 * around them is written once, in `webhook-route.ts`), its outbound side and anything else
 * it serves. `index.ts` lists them. The core sees channels only through its own ports:
 * `ChannelSettings` (bot files), `InboundMessage` (intake) and `ChannelOutbound` (replies).
 */

import type { Config } from '../config.js';
import type { Bot, BotRegistry } from '../core/bots/bot.js';
import type { ChannelSettings } from '../core/bots/bot-schema.js';
import type { ConversationService } from '../core/conversation-service.js';
import type { EventBus } from '../core/events.js';
import type { Intake } from '../core/intake.js';
import type { JobWorker } from '../core/job-worker.js';
import type { Clock, InboundMessage } from '../core/ports.js';
import type { ChannelOutbound, PlannedSend } from '../core/replies.js';
import type { Feature } from '../feature.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { RateLimiter } from '../transport/http/rate-limit.js';

/** An environment variable holding a platform API's base URL; the config has it as `platformUrls[key]`. */
export interface ApiUrlSetting {
  key: string;
  env: string;
  default: string;
}

/** What a channel is built with. */
export interface ChannelDeps {
  config: Config;
  bots: BotRegistry;
  store: Store;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  intake: Intake;
  conversations: ConversationService;
  worker: JobWorker;
  limiter: RateLimiter;
  /** Queues this channel's platform calls outside any conversation (e.g. registering the bot). */
  enqueue(bot: string, sends: readonly PlannedSend[]): Promise<void>;
}

/** A webhook delivery as `verify` and `parse` see it. */
export interface WebhookRequest {
  /** A header as one string (the first, if repeated). */
  header(name: string): string | undefined;
  /** The bytes as received (what signatures are computed over). */
  rawBody: Buffer;
  /** The body as an object: JSON (400 when malformed or not an object), or a parsed form. */
  object(): Record<string, unknown>;
  log: Logger;
}

/** What a delivery comes to. The route stores `inbound` (committed before the answer), then queues `calls`. */
export interface WebhookResult {
  /** Messages for the intake; `recordOnly` ones are kept for the record (an edit), not answered. */
  inbound?: ReadonlyArray<{ message: InboundMessage; recordOnly?: boolean }>;
  /** Platform calls to queue that belong to no conversation (e.g. answering a stale button). */
  calls?: readonly PlannedSend[];
  /** The platform's answer: JSON, plain text, or (default) an empty 200. */
  answer?: { json: unknown } | { text: string };
  /** Ids for the log line (never content). */
  log?: Record<string, unknown>;
}

/** A platform's webhook: how a delivery is checked and what it means. */
export interface Webhook<S> {
  /** `json` (the default) or `form`: form-encoded bodies too (Bitrix24). */
  body?: 'json' | 'form';
  /** False answers 401, the same for every reason. */
  verify(req: WebhookRequest, settings: S, bot: Bot): boolean | Promise<boolean>;
  parse(req: WebhookRequest, settings: S, bot: Bot): WebhookResult | Promise<WebhookResult>;
}

/** A channel once built: any of a webhook, an outbound side, and a feature of its own. */
export interface ChannelParts<S> {
  webhook?: Webhook<S>;
  outbound?: ChannelOutbound;
  feature?: Omit<Feature, 'name'>;
}

/** One messaging platform. */
export interface Channel<S = unknown> extends ChannelSettings<S> {
  /** Its API base URLs, overridable for self-hosted instances and local stand-ins. */
  apiUrls?: readonly ApiUrlSetting[];
  /** Request headers whose values never reach a log line (signatures, secret tokens). */
  secretHeaders?: readonly string[];
  create(deps: ChannelDeps): ChannelParts<S>;
}

/** Declares a channel with its settings' type checked against its parts. */
export const defineChannel = <S>(channel: Channel<S>): Channel<S> => channel;

/** What most outbound sides are built with: the bots, the platform API's base URL, the timeout. */
export interface OutboundOptions {
  bots: BotRegistry;
  apiUrl: string;
  timeoutMs: number;
}

/** The {@link OutboundOptions} of a channel whose API base URL is `platformUrls[apiUrlKey]`. */
export const outboundOptions = (d: ChannelDeps, apiUrlKey: string): OutboundOptions => ({
  bots: d.bots,
  apiUrl: d.config.platformUrls[apiUrlKey]!,
  timeoutMs: d.config.outboundTimeoutMs,
});
