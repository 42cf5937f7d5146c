/**
 * Builds the bot gateway from its parts: the core (intake, pipeline, workers, operators'
 * actions, event bus) and every channel of `src/channels/index.ts` — their webhooks behind
 * the one webhook route, their outbound sides, and what else they serve (the REST tickets,
 * the chat websocket). It is the `channels` feature of `server.ts`.
 */

import type { Channel, ChannelDeps, Webhook } from './channels/contract.js';
import { CHANNELS } from './channels/index.js';
import { mountWebhooks } from './channels/webhook-route.js';
import type { Config } from './config.js';
import type { BotRegistry } from './core/bots/bot.js';
import { ConversationService } from './core/conversation-service.js';
import { type EventBus, InProcessEventBus } from './core/events.js';
import { Intake } from './core/intake.js';
import { JobWorker } from './core/job-worker.js';
import { OutboxDispatcher } from './core/outbox-dispatcher.js';
import { MessagePipeline } from './core/pipeline.js';
import type { AnswerSuggester, Clock, ProductRecommender, TicketClassifier } from './core/ports.js';
import type { ChannelOutbound, ChannelOutbounds } from './core/replies.js';
import type { Feature } from './feature.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/index.js';
import { mountConversations } from './transport/http/conversations-routes.js';
import { RateLimiter } from './transport/http/rate-limit.js';

/** What the gateway is built from. */
export interface GatewayParts {
  config: Config;
  store: Store;
  bots: BotRegistry;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  classifier: TicketClassifier;
  suggester: AnswerSuggester;
  /** The shop, for bots that attach products to their replies. */
  products?: ProductRecommender;
  random?: () => number;
  /** The channels to run (default: every channel of `src/channels/index.ts`). */
  channels?: readonly Channel<unknown>[];
}

/**
 * The bot gateway as a feature: every channel's webhook, routes, sockets and outbound side,
 * the operators' conversation API, and the core's workers. `start` resumes work a previous
 * run left in progress and starts the workers; `close` waits for the jobs and sends in
 * progress.
 */
export interface BotGateway extends Feature {
  events: EventBus;
  intake: Intake;
  conversations: ConversationService;
  limiter: RateLimiter;
}

/** Wires the bot gateway. */
export function composeGateway(p: GatewayParts): BotGateway {
  const { config, store, bots, clock, logger, metrics } = p;
  const events = new InProcessEventBus((err, event) =>
    logger.error({ err, event: event.type }, 'event listener failed'),
  );
  countEvents(events, metrics);
  const limiter = new RateLimiter({
    perMinute: config.rateLimitPerMinute,
    burst: config.rateLimitBurst,
    clock,
  });
  // The outbound sides are known once the channels are built; the core reads them at send time.
  const outbounds = new Map<string, ChannelOutbound>() as Map<string, ChannelOutbound> & ChannelOutbounds;

  const intake = new Intake(store.inbox, events);
  const conversations = new ConversationService(store.conversations, outbounds, events);
  const pipeline = new MessagePipeline({
    bots,
    conversations: store.conversations,
    classifier: p.classifier,
    suggester: p.suggester,
    products: p.products,
    outbounds,
    events,
    logger,
  });
  const backoff = { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs };
  const worker = new JobWorker({
    jobs: store.jobs,
    pipeline,
    events,
    clock,
    logger,
    backoff,
    maxAttempts: config.jobMaxAttempts,
    concurrency: 8,
    pollMs: config.workerPollMs,
    random: p.random,
  });
  const dispatcher = new OutboxDispatcher({
    outbox: store.outbox,
    outbounds,
    events,
    clock,
    logger,
    backoff,
    maxAttempts: config.outboxMaxAttempts,
    concurrency: 8,
    pollMs: config.workerPollMs,
    random: p.random,
  });
  const deps: Omit<ChannelDeps, 'enqueue'> = {
    config,
    bots,
    store,
    clock,
    logger,
    events,
    intake,
    conversations,
    worker,
    limiter,
  };
  const enqueue = async (
    channel: string,
    bot: string,
    sends: readonly { kind: string; payload: unknown }[],
  ) => {
    if (sends.length === 0) return;
    const ids: number[] = [];
    for (const s of sends)
      ids.push(await store.outbox.enqueue({ channel, bot, kind: s.kind, payload: s.payload }));
    events.publish({ type: 'reply.queued', conversationId: null, outboxIds: ids });
  };
  const features: Omit<Feature, 'name'>[] = [];
  const webhooks = new Map<string, Webhook<unknown>>();
  for (const channel of p.channels ?? CHANNELS) {
    const parts = channel.create({ ...deps, enqueue: (bot, sends) => enqueue(channel.name, bot, sends) });
    if (parts.outbound) outbounds.set(channel.name, parts.outbound);
    if (parts.webhook) webhooks.set(channel.name, parts.webhook);
    if (parts.feature) features.push(parts.feature);
  }
  const bodyLimitBytes = config.bodyLimitBytes;

  return {
    name: 'channels',
    events,
    intake,
    conversations,
    limiter,
    mounts: [
      ({ app }) => mountWebhooks(app, { bots, intake, limiter, bodyLimitBytes, webhooks, enqueue }),
      ...features.flatMap((f) => f.mounts ?? []),
      ({ api }) =>
        mountConversations(api, { store: store.conversations, service: conversations, bodyLimitBytes }),
    ],
    upgrades: Object.assign({}, ...features.map((f) => f.upgrades ?? {})),
    async start() {
      const jobs = await store.jobs.requeueRunning();
      const sends = await store.outbox.requeueSending();
      if (jobs + sends > 0) logger.info({ jobs, sends }, 'resuming work left in progress');
      worker.start();
      dispatcher.start();
    },
    async closeSockets() {
      await Promise.all(features.map((f) => f.closeSockets?.()));
    },
    async close() {
      await Promise.all(features.map((f) => f.close?.()));
      await Promise.all([worker.stop(), dispatcher.stop()]);
    },
  };
}

/** Feeds the gateway's events into the Prometheus counters. */
function countEvents(events: EventBus, metrics: Metrics): void {
  events.subscribe((e) => {
    if (e.type === 'message.received') metrics.inbound.inc({ channel: e.channel });
    else if (e.type === 'message.decided') metrics.decisions.inc({ action: e.action });
    else if (e.type === 'reply.sent') metrics.replies.inc({ channel: e.channel, result: 'sent' });
    else if (e.type === 'reply.failed')
      metrics.replies.inc({ channel: e.channel, result: e.dead ? 'dead' : 'retry' });
  });
}
