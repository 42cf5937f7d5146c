import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { resolveApiKeys } from './api-keys.js';
import { createApp, type ReadinessCheck, type RouteMount } from './app.js';
import { type BotGateway, composeGateway } from './compose-gateway.js';
import type { Config } from './config.js';
import { createConsole } from './console/index.js';
import { ConsoleCore } from './console/service.js';
import { BotRegistry, botCategories } from './core/bots/bot.js';
import { loadBots } from './core/bots/load-bots.js';
import { type AnswerSuggester, type Clock, systemClock, type TicketClassifier } from './core/ports.js';
import { AnswerIndexes } from './kb/answer-indexes.js';
import { DEFAULT_KB, KnowledgeBase } from './kb/knowledge-base.js';
import { QaSuggester } from './kb/suggester.js';
import { type Closer, gracefulShutdown, trackInFlight } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { initBackend } from './nets/backend.js';
import { ClassifierRegistry } from './nets/classifier-registry.js';
import { QaRegistry } from './nets/qa-registry.js';
import { type ShopDeps, type ShopModule, startShop } from './shop/index.js';
import { closeDatabase, createStore, openDatabase, type Store } from './store/index.js';
import { answersRoutes } from './transport/http/answers-routes.js';
import { classifyRoute } from './transport/http/classify-route.js';
import { rateLimit } from './transport/http/rate-limit.js';
import { suggestRoute } from './transport/http/suggest-route.js';
import { attachUpgrades } from './transport/ws/upgrade-router.js';

/** Options for {@link startGateway}; tests inject a logger, clock, nets or extra routes. */
export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  mounts?: readonly RouteMount[];
  /** The environment the bots' secret keys are read from (bots name the keys, not the values). */
  env?: Record<string, string | undefined>;
  classifier?: TicketClassifier;
  suggester?: AnswerSuggester;
  /**
   * Nets already loaded, shared with the caller (tests load the default nets once per file):
   * used instead of loading from `NEURODESK_NETS_DIR`, and left loaded at close.
   */
  sharedNets?: { classifiers: ClassifierRegistry; qa: QaRegistry };
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
  /** The classifier nets in memory (loaded by the time start resolves; empty when one was injected). */
  classifiers: ClassifierRegistry;
  /** The knowledge bases, the two-tower nets in memory and their answer vectors (empty when a suggester was injected). */
  answers: { knowledgeBase: KnowledgeBase; nets: QaRegistry; indexes: AnswerIndexes };
  /** The active TF.js backend, or null when no net is loaded here (injected classifier and suggester). */
  tfBackend: string | null;
  /** Stops gracefully; resolves `true` if everything finished in time. */
  close(): Promise<boolean>;
}

/** The composition root: builds every part from the config and listens. */
export async function startGateway(config: Config, options: StartOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const { bots: botList, notes } = loadBots(config.botsDir, options.env ?? {});
  for (const note of notes) logger.info(note);
  const bots = new BotRegistry(botList);
  const { keys, generated } = resolveApiKeys(config.apiKeys, config.dataDir);
  if (generated) options.onGeneratedKey?.(generated);

  const dbPath = join(config.dataDir, 'neurodesk.db');
  const db = openDatabase(dbPath, { busyTimeoutMs: config.dbBusyTimeoutMs });
  const store = createStore(db, clock);
  const shop = startShop({
    store,
    dbPath,
    clock,
    logger: logger.child({ module: 'shop' }),
    settings: { ...config.shop, bodyLimitBytes: config.bodyLimitBytes },
    ...options.shop,
  });
  const metrics = createMetrics();
  let closing = false;

  // The nets: the default classifier and every one a bot names, unless a test injects its own.
  const shared = options.sharedNets;
  const classifiers = shared?.classifiers ?? new ClassifierRegistry(config.netsDir);
  const classifierNets = options.classifier
    ? []
    : [...new Set([config.classifierNet, ...bots.all().map((b) => b.config.nets.classifier)])];
  // The knowledge bases and the two-tower nets that suggest their answers.
  const knowledgeBase = new KnowledgeBase(store.knowledgeBase);
  if (config.kb.seedFile) {
    try {
      const added = knowledgeBase.seedIfEmpty(DEFAULT_KB, config.kb.seedFile);
      if (added > 0) logger.info({ answers: added, file: config.kb.seedFile }, 'knowledge base seeded');
    } catch (err) {
      logger.error(
        { err, file: config.kb.seedFile },
        'knowledge base seed failed: starting with an empty knowledge base',
      );
    }
  }
  const qaNetsRegistry = shared?.qa ?? new QaRegistry(config.netsDir);
  const answerIndexes = new AnswerIndexes(knowledgeBase, qaNetsRegistry, logger.child({ module: 'answers' }));
  const qaNets = options.suggester
    ? []
    : [...new Set([config.kb.qaNet, ...bots.all().map((b) => b.config.nets.qa)])];
  const kbsOf = (net: string) => [
    ...new Set([
      DEFAULT_KB,
      ...bots
        .all()
        .filter((b) => b.config.nets.qa === net)
        .map((b) => b.config.nets.kb ?? DEFAULT_KB),
    ]),
  ];
  const suggester =
    options.suggester ??
    new QaSuggester(answerIndexes, knowledgeBase, (name) => qaNetsRegistry.get(name) !== undefined);

  let tfBackend: string | null = null;
  if (classifierNets.length + qaNets.length > 0) {
    const backend = await initBackend(config.tfBackend);
    tfBackend = backend.name;
    logger.info({ backend: backend.name, skipped: backend.skipped }, 'TF.js backend');
    metrics.tfBackend.set({ backend: backend.name }, 1);
  }
  const classifier = options.classifier ?? classifiers;

  const gateway = composeGateway({
    config,
    store,
    bots,
    clock,
    logger,
    metrics,
    classifier,
    suggester,
    random: options.random,
  });

  const consoleCore = new ConsoleCore({
    reads: store.console,
    conversations: gateway.conversations,
    store: store.conversations,
    events: gateway.events,
    clock,
    categoriesOf: (name) => botCategories(bots.get(name)),
  });
  const consoleFeature = await createConsole({
    operatorStore: store.operators,
    clock,
    logger,
    service: consoleCore,
    operators: config.console.operators,
    sessionTtlMs: config.console.sessionTtlMs,
    secureCookie: config.console.secureCookie,
    allowedOrigins: config.console.allowedOrigins,
    allowGeneratedAdmin: config.env !== 'production',
    onGeneratedAdmin: options.onGeneratedAdmin,
    hub: { heartbeatMs: config.wsHeartbeatMs },
  });

  const readiness: ReadinessCheck[] = [
    {
      name: 'database',
      check: () => {
        db.prepare('SELECT 1').get();
        return { ok: true };
      },
    },
    shop.readiness,
  ];
  if (classifierNets.length > 0) {
    readiness.push({
      name: 'classifier',
      check: () => {
        const problems = classifierNets.flatMap((name) => {
          const s = classifiers.status(name);
          if (s.state === 'ready') return [];
          return [`${name}: ${s.state === 'failed' ? `failed to load: ${s.error}` : 'loading'}`];
        });
        return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
      },
    });
  }
  if (qaNets.length > 0) {
    readiness.push({
      name: 'answers',
      check: () => {
        const problems = qaNets.flatMap((name) => {
          const s = qaNetsRegistry.status(name);
          if (s.state === 'ready') return [];
          return [`${name}: ${s.state === 'failed' ? `failed to load: ${s.error}` : 'loading'}`];
        });
        return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
      },
    });
  }
  const app = createApp({
    logger,
    metrics,
    apiKeys: keys,
    readiness,
    isClosing: () => closing,
    readyInfo: () => {
      const s = classifiers.status(config.classifierNet);
      const q = qaNetsRegistry.status(config.kb.qaNet);
      return {
        tfBackend,
        nets: {
          classifier: { name: config.classifierNet, version: s.state === 'ready' ? s.version : null },
          qa: { name: config.kb.qaNet, version: q.state === 'ready' ? q.version : null },
        },
      };
    },
    mounts: [
      ...gateway.mounts,
      consoleFeature.mount,
      shop.mount,
      classifyRoute({
        classifier,
        netName: config.classifierNet,
        bodyLimitBytes: config.bodyLimitBytes,
        metrics,
      }),
      answersRoutes({
        kb: knowledgeBase,
        bodyLimitBytes: config.bodyLimitBytes,
        importLimitBytes: config.kb.importLimitBytes,
      }),
      suggestRoute({ suggester, netName: config.kb.qaNet, bodyLimitBytes: config.bodyLimitBytes, metrics }),
      ...(options.mounts ?? []),
    ],
    apiGuards: [rateLimit(gateway.limiter)],
  });

  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
    app,
  );
  attachUpgrades(server, { ...gateway.upgrades, '/ws/console': consoleFeature.upgrade }, () => closing);
  const inFlight = trackInFlight(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Loaded after listening, so probes see /readyz 503 (not a refused connection) meanwhile,
  // and before the workers start, so the first messages find their nets. A net that fails to
  // load leaves the gateway up and not ready, with the reason in /readyz; its messages are
  // retried, then handed off unclassified.
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      for (const name of classifierNets) {
        if (shared && classifiers.get(name)) continue;
        try {
          const net = classifiers.load(name);
          logger.info({ net: name, version: net.location?.version }, 'classifier loaded');
        } catch (err) {
          logger.error({ err, net: name }, 'classifier failed to load');
        }
      }
      for (const name of qaNets) {
        if (shared && qaNetsRegistry.get(name)) continue;
        try {
          const net = qaNetsRegistry.load(name);
          logger.info({ net: name, version: net.location?.version }, 'answer net loaded');
        } catch (err) {
          logger.error({ err, net: name }, 'answer net failed to load');
        }
      }
      resolve();
    });
  });
  // The answers are embedded before the workers start, so the first messages get suggestions.
  for (const name of qaNets) {
    if (!qaNetsRegistry.get(name)) continue;
    for (const kb of kbsOf(name)) await answerIndexes.sync(name, kb);
  }
  const syncTimer = setInterval(() => void answerIndexes.syncAll(), config.kb.syncIntervalMs);
  syncTimer.unref();
  gateway.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, bots: bots.all().map((b) => b.name) }, 'neurodesk listening');

  const closers: Closer[] = [
    { name: 'gateway', close: () => gateway.stop() },
    shop.closer,
    { name: 'classifiers', close: () => (shared ? undefined : classifiers.dispose()) },
    {
      name: 'answers',
      close: async () => {
        clearInterval(syncTimer);
        await answerIndexes.idle();
        answerIndexes.dispose();
        if (!shared) qaNetsRegistry.dispose();
      },
    },
    { name: 'database', close: () => closeDatabase(db) },
  ];
  let closingPromise: Promise<boolean> | undefined;
  const close = () => {
    closing = true;
    // Websockets first: they would hold the HTTP server open.
    closingPromise ??= Promise.all([consoleFeature.close(), gateway.closeSockets()]).then(() =>
      gracefulShutdown({
        server,
        inFlight,
        closers,
        timeoutMs: config.shutdownTimeoutMs,
        logger,
      }),
    );
    return closingPromise;
  };
  const core = { events: gateway.events, intake: gateway.intake, conversations: gateway.conversations };
  return {
    url,
    server,
    store,
    metrics,
    shop,
    apiKeys: keys,
    logger,
    bots,
    core,
    classifiers,
    answers: { knowledgeBase, nets: qaNetsRegistry, indexes: answerIndexes },
    tfBackend,
    close,
  };
}
