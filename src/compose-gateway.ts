/**
 * Builds the bot gateway from its parts: bots, the core (intake, pipeline, workers,
 * operators' actions, event bus), the channels' inbound routes and outbound sides, and
 * the chat websocket. `server.ts` mounts what this returns and runs its start and stop.
 */
import type { RouteMount } from './app.js';
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
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/index.js';
import { mountBitrix24 } from './transport/channels/bitrix24.js';
import { bitrix24Outbound, registerBotCall } from './transport/channels/bitrix24-outbound.js';
import { ChatHub } from './transport/channels/chat-hub.js';
import { ChatServer } from './transport/channels/chat-server.js';
import { mountChatwoot } from './transport/channels/chatwoot.js';
import { chatwootOutbound } from './transport/channels/chatwoot-outbound.js';
import { restCallbackOutbound } from './transport/channels/rest-callback-outbound.js';
import { mountSlack } from './transport/channels/slack.js';
import { slackOutbound } from './transport/channels/slack-outbound.js';
import { mountTelegram } from './transport/channels/telegram.js';
import { telegramOutbound } from './transport/channels/telegram-outbound.js';
import type { WebhookDeps } from './transport/channels/webhook-common.js';
import { mountConversations } from './transport/http/conversations-routes.js';
import { RateLimiter } from './transport/http/rate-limit.js';
import { mountTickets } from './transport/http/tickets-routes.js';
import type { UpgradeHandler } from './transport/ws/upgrade-router.js';

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
}

/** The built gateway: routes to mount, upgrades to route, and its lifecycle. */
export interface BotGateway {
  events: EventBus;
  intake: Intake;
  conversations: ConversationService;
  limiter: RateLimiter;
  mounts: RouteMount[];
  upgrades: Record<string, UpgradeHandler>;
  /** Resumes work a previous run left in progress, then starts the workers. */
  start(): void;
  /** Closes the websockets (first thing at shutdown: they would hold the HTTP server open). */
  closeSockets(): Promise<void>;
  /** Waits for the workers' jobs and sends in progress, and stops them. */
  stop(): Promise<void>;
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
  const timeoutMs = config.outboundTimeoutMs;
  const hub = new ChatHub((login) => store.operators.displayName(login));
  // An operator typing in the console is shown in the customer's widget.
  events.subscribe((e) => {
    if (e.type === 'typing' && e.who === 'operator') hub.typing(e.conversationId, e.operator);
  });
  const outboundList: ChannelOutbound[] = [
    telegramOutbound({ bots, apiUrl: config.platformUrls.telegram, timeoutMs }),
    slackOutbound({ bots, apiUrl: config.platformUrls.slack, timeoutMs }),
    chatwootOutbound({ bots, apiUrl: config.platformUrls.chatwoot, timeoutMs }),
    bitrix24Outbound({
      bots,
      installs: store.bitrix24,
      clock,
      oauthUrl: config.platformUrls.bitrix24OAuth,
      timeoutMs,
    }),
    restCallbackOutbound({ timeoutMs }),
    hub,
  ];
  const outbounds: ChannelOutbounds = new Map(outboundList.map((o) => [o.channel, o]));

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
  const chat = new ChatServer({
    bots,
    intake,
    store: store.conversations,
    hub,
    events,
    limiter,
    logger,
    maxPayloadBytes: config.chatMaxPayloadBytes,
    heartbeatMs: config.wsHeartbeatMs,
  });

  let chatClosing: Promise<void> | undefined;
  const closeChat = () => {
    chatClosing ??= chat.close();
    return chatClosing;
  };
  const webhookDeps: WebhookDeps = {
    bots,
    intake,
    conversations,
    clock,
    logger,
    limiter,
    bodyLimitBytes: config.bodyLimitBytes,
    toleranceMs: config.webhookToleranceMs,
  };
  const onInstall = (botName: string, install: { memberId: string; accessToken: string | null }) => {
    const bot = bots.get(botName);
    if (!config.publicUrl || !install.accessToken || !bot?.channels.bitrix24) return;
    const call = registerBotCall(
      install.memberId,
      bot.channels.bitrix24.botCode,
      bot.name,
      `${config.publicUrl}/webhooks/bitrix24/${bot.name}`,
    );
    const id = store.outbox.enqueue({
      channel: 'bitrix24',
      bot: botName,
      kind: call.kind,
      payload: call.payload,
    });
    events.publish({ type: 'reply.queued', conversationId: null, outboxIds: [id] });
  };

  const mounts: RouteMount[] = [
    ({ app }) => {
      mountTelegram(app, webhookDeps);
      mountSlack(app, webhookDeps);
      mountChatwoot(app, webhookDeps);
      mountBitrix24(app, { ...webhookDeps, installs: store.bitrix24, onInstall });
    },
    ({ api }) => {
      const bodyLimitBytes = config.bodyLimitBytes;
      mountTickets(api, {
        bots,
        intake,
        jobs: store.jobs,
        worker,
        conversations: store.conversations,
        bodyLimitBytes,
      });
      mountConversations(api, { store: store.conversations, service: conversations, bodyLimitBytes });
    },
  ];

  return {
    events,
    intake,
    conversations,
    limiter,
    mounts,
    upgrades: { '/ws/chat': chat.handleUpgrade },
    start() {
      const jobs = store.jobs.requeueRunning();
      const sends = store.outbox.requeueSending();
      if (jobs + sends > 0) logger.info({ jobs, sends }, 'resuming work left in progress');
      worker.start();
      dispatcher.start();
    },
    closeSockets: closeChat,
    async stop() {
      await closeChat();
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
