/**
 * The composition root. `buildGateway(config)` builds every part from the config into an
 * express app without opening a socket (tests may drive it in process); `listen()` then
 * opens the HTTP server, routes the websocket upgrades, and starts the features in order.
 *
 * The gateway is a list of features of one shape (`src/feature.ts`): nets, knowledge
 * bases, shop, channels (with the core's workers), console, retraining. Each brings its
 * routes, websocket paths, readiness checks, start and close; a new feature's routes go in
 * its own `mounts`, and the feature joins the list in `buildGateway`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import { resolveApiKeys } from './api-keys.js';
import { createApp, type RouteMount } from './app.js';
import { loadBots } from './channels/bot-files.js';
import { CHANNEL_SECRET_HEADERS } from './channels/index.js';
import { type BotGateway, composeGateway } from './compose-gateway.js';
import type { Config } from './config.js';
import { createConsoleFeature } from './console/feature.js';
import { BotRegistry } from './core/bots/bot.js';
import { type AnswerSuggester, type Clock, systemClock, type TicketClassifier } from './core/ports.js';
import type { Feature } from './feature.js';
import type { AnswerIndexes } from './kb/answer-indexes.js';
import { composeAnswers } from './kb/compose-answers.js';
import type { KnowledgeBase } from './kb/knowledge-base.js';
import { gracefulShutdown, trackInFlight } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createNetsFeature } from './nets/feature.js';
import type { NetRegistry } from './nets/runtime/net-registry.js';
import { createRetrainingFeature } from './retraining/feature.js';
import { shopRecommender } from './shop/conversation.js';
import { type ShopDeps, type ShopModule, shopFeature, startShop } from './shop/index.js';
import { openSqliteStore, type Store } from './store/index.js';
import { rateLimit } from './transport/http/rate-limit.js';
import { answerClientErrors } from './transport/http/raw-error.js';
import { attachUpgrades } from './transport/ws/upgrade-router.js';
import { createWidget } from './widget/index.js';

/** Options for {@link buildGateway}; tests inject a logger, clock, nets or extra routes. */
export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  mounts?: readonly RouteMount[];
  /** The environment the bots' secret keys are read from (bots name the keys, not the values). */
  env?: Record<string, string | undefined>;
  classifier?: TicketClassifier;
  suggester?: AnswerSuggester;
  /**
   * A nets registry already built, shared with the caller (tests load the default nets once
   * per file): used instead of building one, and left open at close.
   */
  sharedNets?: NetRegistry;
  /** Randomness of the retry jitter. */
  random?: () => number;
  /** Overrides for the shop module (tests swap the model builder or parameters). */
  shop?: Partial<Pick<ShopDeps, 'builder' | 'features' | 'params'>>;
  /** Called once with a key generated at first start (development), to show it to the user. */
  onGeneratedKey?: (key: string) => void;
  /** Called once with the console's generated `admin` password (development), to show it to the user. */
  onGeneratedAdmin?: (login: string, password: string) => void;
}

/** A running gateway. */
export interface Gateway {
  url: string;
  server: Server;
  store: Store;
  metrics: Metrics;
  shop: ShopModule;
  apiKeys: string[];
  logger: Logger;
  bots: BotRegistry;
  /** The bot gateway's core: event bus, intake, operators' actions. */
  core: Pick<BotGateway, 'events' | 'intake' | 'conversations'>;
  /** The nets in service (the bots' nets are loaded by the time start resolves, unless injected). */
  nets: NetRegistry;
  /** The knowledge bases and their answer vectors (per two-tower net version in service). */
  answers: { knowledgeBase: KnowledgeBase; indexes: AnswerIndexes };
  /** The active TF.js backend, or null when no net is loaded here (injected classifier and suggester). */
  tfBackend: string | null;
  /** Stops gracefully; resolves `true` if everything finished in time. */
  close(): Promise<boolean>;
}

/** A gateway built and not yet listening: its app, its parts, and `listen`. */
export interface BuiltGateway extends Omit<Gateway, 'url' | 'server' | 'close'> {
  /** The express app with every feature's routes (for in-process requests). */
  app: Express;
  /** The features, in the order they start. */
  features: readonly Feature[];
  /** Opens the HTTP server on `config.port`, starts the features, and resolves once they run. */
  listen(): Promise<Gateway>;
  /** Releases what the build opened (the database, the nets) when it is never listened on. */
  discard(): Promise<void>;
}

/** Builds every part of the gateway from the config, without opening a socket. */
export async function buildGateway(config: Config, options: StartOptions = {}): Promise<BuiltGateway> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, CHANNEL_SECRET_HEADERS);
  const clock = options.clock ?? systemClock;
  const { bots: botList, notes } = loadBots(config.botsDir, options.env ?? {});
  for (const note of notes) logger.info(note);
  const bots = new BotRegistry(botList);
  const { keys, generated } = resolveApiKeys(config.apiKeys, config.dataDir);
  if (generated) options.onGeneratedKey?.(generated);

  const dbPath = join(config.dataDir, 'neurodesk.db');
  const store = openSqliteStore(dbPath, {
    clock,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    checkpointer: {
      onError: (message) => logger.warn({ error: message }, 'WAL checkpoint failed; retrying'),
    },
  });
  const shop = await startShop({
    store,
    dbPath,
    clock,
    logger: logger.child({ module: 'shop' }),
    settings: { ...config.shop, bodyLimitBytes: config.bodyLimitBytes },
    ...options.shop,
  });
  const metrics = createMetrics();

  // The nets and the knowledge bases; their answer vectors follow the two-tower net in service.
  const nets = await createNetsFeature({
    config,
    bots,
    metrics,
    clock,
    logger,
    classifier: options.classifier,
    needsBackend: !options.suggester,
    shared: options.sharedNets,
  });
  const answers = composeAnswers({
    config,
    store,
    bots,
    nets: nets.registry,
    logger,
    metrics,
    suggester: options.suggester,
  });
  nets.alsoLoad(answers.netNames);
  const channels = composeGateway({
    config,
    store,
    bots,
    clock,
    logger,
    metrics,
    classifier: nets.classifier,
    suggester: answers.suggester,
    products: shopRecommender(() => shop.service.view()),
    random: options.random,
  });
  const consoleFeature = await createConsoleFeature({
    config,
    store,
    bots,
    conversations: channels.conversations,
    events: channels.events,
    clock,
    logger,
    nets: nets.registry,
    knowledgeBase: answers.knowledgeBase,
    onGeneratedAdmin: options.onGeneratedAdmin,
  });
  const retraining = createRetrainingFeature({ config, bots, runs: store.trainingRuns, logger });

  // The order they start in: nets loaded, then answers embedded, before the workers take messages.
  const features: Feature[] = [
    nets,
    answers,
    shopFeature(shop),
    channels,
    consoleFeature,
    retraining,
    {
      name: 'widget',
      ...createWidget({
        demo: config.demoPage,
        shopView: () => shop.service.view(),
        hasChat: (name) => bots.withChannel(name, 'chat') !== undefined,
        logger,
      }),
    },
    { name: 'extra routes', mounts: options.mounts ?? [] },
  ];
  let closing = false;
  const app = createApp({
    logger,
    metrics,
    apiKeys: keys,
    readiness: [
      {
        name: 'database',
        check: async () => {
          await store.ping();
          return { ok: true };
        },
      },
      ...features.flatMap((f) => f.readiness ?? []),
    ],
    isClosing: () => closing,
    readyInfo: () => {
      const s = nets.registry.status(config.classifierNet);
      const q = nets.registry.status(config.kb.qaNet);
      return {
        tfBackend: nets.tfBackend,
        nets: {
          classifier: { name: config.classifierNet, version: s.state === 'ready' ? s.version : null },
          qa: { name: config.kb.qaNet, version: q.state === 'ready' ? q.version : null },
        },
      };
    },
    mounts: features.flatMap((f) => f.mounts ?? []),
    apiGuards: [rateLimit(channels.limiter)],
  });

  // What closes after the features, last to first.
  const infrastructure = [{ name: 'database', close: () => store.close() }];
  const parts = {
    store,
    metrics,
    shop,
    apiKeys: keys,
    logger,
    bots,
    core: { events: channels.events, intake: channels.intake, conversations: channels.conversations },
    nets: nets.registry,
    answers: { knowledgeBase: answers.knowledgeBase, indexes: answers.indexes },
    tfBackend: nets.tfBackend,
  };

  return {
    ...parts,
    app,
    features,
    async discard() {
      closing = true;
      for (const f of [...features].reverse()) await f.closeSockets?.();
      for (const f of [...features].reverse()) await f.close?.();
      for (const c of infrastructure) await c.close();
    },
    async listen(): Promise<Gateway> {
      const server = createServer(
        { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
        app,
      );
      answerClientErrors(server);
      attachUpgrades(server, Object.assign({}, ...features.map((f) => f.upgrades ?? {})), () => closing);
      const inFlight = trackInFlight(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      // Started after listening, so probes see /readyz 503 (not a refused connection) while
      // the nets load and the answers are embedded.
      for (const f of features) await f.start?.();
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}`;
      logger.info({ url, bots: bots.all().map((b) => b.name) }, 'neurodesk listening');

      const closers = [
        ...[...features]
          .reverse()
          .flatMap((f) => (f.close ? [{ name: f.name, close: () => f.close!() }] : [])),
        ...infrastructure,
      ];
      let closingPromise: Promise<boolean> | undefined;
      const close = () => {
        closing = true;
        // Websockets first: they would hold the HTTP server open.
        closingPromise ??= Promise.all(features.map((f) => f.closeSockets?.())).then(() =>
          gracefulShutdown({ server, inFlight, closers, timeoutMs: config.shutdownTimeoutMs, logger }),
        );
        return closingPromise;
      };
      return { ...parts, url, server, close };
    },
  };
}

/** Builds the gateway and listens: what `main` runs. */
export async function startGateway(config: Config, options: StartOptions = {}): Promise<Gateway> {
  return (await buildGateway(config, options)).listen();
}
