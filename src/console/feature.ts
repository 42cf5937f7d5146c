/**
 * The operators' console as a feature: its page and sign-in routes, `/ws/console`, the
 * training reports it links, and the core behind it (queue, conversations, stats).
 */
import type { Config } from '../config.js';
import type { BotRegistry } from '../core/bots/bot.js';
import type { ConversationService } from '../core/conversation-service.js';
import type { EventBus } from '../core/events.js';
import type { Clock } from '../core/ports.js';
import type { Feature } from '../feature.js';
import type { Logger } from '../logger.js';
import { latestRollbacks } from '../nets/rollback.js';
import type { Store } from '../store/index.js';
import { consoleCategories, type ServedNets } from './categories.js';
import { type ConsoleFeature, createConsole } from './index.js';
import { consoleReportsRoute, latestReportLink } from './reports-route.js';
import { ConsoleCore } from './service.js';

/** Builds the console feature over the gateway's conversations and events. */
export async function createConsoleFeature(p: {
  config: Config;
  store: Store;
  bots: BotRegistry;
  conversations: ConversationService;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** The nets in service: an operator picks among the served classifier's labels. */
  nets: ServedNets;
  /** Where an operator's reply written from scratch can be added as an answer. */
  knowledgeBase?: { create(body: unknown): Promise<{ id: number }> };
  onGeneratedAdmin?: (login: string, password: string) => void;
}): Promise<Feature & { console: ConsoleFeature }> {
  const { config, store } = p;
  const service = new ConsoleCore({
    reads: store.console,
    conversations: p.conversations,
    store: store.conversations,
    events: p.events,
    clock: p.clock,
    categoriesOf: (name) => consoleCategories(p.bots.get(name), p.nets),
    botOf: (name) => p.bots.get(name),
    botNames: () => p.bots.all().map((b) => b.name),
    knowledgeBase: p.knowledgeBase,
    latestReport: () => latestReportLink(store.trainingRuns),
    rollbacks: () => latestRollbacks(config.netsDir, 3),
    onError: (err) => p.logger.error({ err }, 'console event failed'),
  });
  const console = await createConsole({
    operatorStore: store.operators,
    clock: p.clock,
    logger: p.logger,
    service,
    operators: config.console.operators,
    sessionTtlMs: config.console.sessionTtlMs,
    secureCookie: config.console.secureCookie,
    allowedOrigins: config.console.allowedOrigins,
    allowGeneratedAdmin: config.env !== 'production',
    onGeneratedAdmin: p.onGeneratedAdmin,
    hub: { heartbeatMs: config.wsHeartbeatMs },
  });
  return {
    name: 'console',
    console,
    mounts: [console.mount, consoleReportsRoute({ runs: store.trainingRuns, operators: store.operators })],
    upgrades: { '/ws/console': console.upgrade },
    closeSockets: async () => console.close(),
  };
}
