import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { resolveApiKeys } from './api-keys.js';
import { createApp, type ReadinessCheck, type RouteMount } from './app.js';
import { type BotGateway, composeGateway } from './compose-gateway.js';
import type { Config } from './config.js';
import { consoleCategories } from './console/categories.js';
import { createConsole } from './console/index.js';
import { consoleReportsRoute, latestReportLink } from './console/reports-route.js';
import { ConsoleCore } from './console/service.js';
import { BotRegistry } from './core/bots/bot.js';
import { loadBots } from './core/bots/load-bots.js';
import { type AnswerSuggester, type Clock, systemClock, type TicketClassifier } from './core/ports.js';
import type { AnswerIndexes } from './kb/answer-indexes.js';
import { composeAnswers } from './kb/compose-answers.js';
import type { KnowledgeBase } from './kb/knowledge-base.js';
import { type Closer, gracefulShutdown, trackInFlight } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type BackendChoice, initBackend } from './nets/backend.js';
import { NetClassifier } from './nets/net-classifier.js';
import { watchCurrent } from './nets/runtime/current-watcher.js';
import { LocalExecutor, type NetExecutor } from './nets/runtime/executor.js';
import { NetHost } from './nets/runtime/net-host.js';
import { createNetMetrics } from './nets/runtime/net-metrics.js';
import { NetRegistry } from './nets/runtime/net-registry.js';
import { WorkerExecutor } from './nets/runtime/worker-executor.js';
import { parseCron } from './retraining/cron.js';
import { RetrainScheduler } from './retraining/scheduler.js';
import { spawnRetrain } from './retraining/spawn-retrain.js';
import { shopRecommender } from './shop/conversation.js';
import { type ShopDeps, type ShopModule, startShop } from './shop/index.js';
import { closeDatabase, createStore, openDatabase, type Store, startCheckpointer } from './store/index.js';
import { adminNetsRoute } from './transport/http/admin-nets-route.js';
import { classifyRoute } from './transport/http/classify-route.js';
import { rateLimit } from './transport/http/rate-limit.js';
import { answerClientErrors } from './transport/http/raw-error.js';
import { trainingRunsRoutes } from './transport/http/training-runs-routes.js';
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

/** Inference in the HTTP thread, or in `config.nets.workers` worker threads. */
function createExecutor(
  config: Config,
  backend: string,
  onEvict: (ref: { name: string; version: string }, bytes: number) => void,
  logger: Logger,
): NetExecutor {
  const maxBytes = config.nets.cacheBytes;
  if (config.nets.workers === 0) return new LocalExecutor(new NetHost({ maxBytes, onEvict }));
  return new WorkerExecutor({
    threads: config.nets.workers,
    maxBytes,
    // The threads use the backend the main thread settled on (tfjs-node registers as "tensorflow").
    backend: (backend === 'tensorflow' ? 'auto' : backend) as BackendChoice,
    onEvict,
    onExit: (reason) => logger.error({ reason }, 'inference thread stopped: replacing it'),
  });
}

/** The nets registry of a gateway: its executor, batching and metrics. */
function createRegistry(
  config: Config,
  backend: string,
  metrics: Metrics,
  clock: Clock,
  logger: Logger,
): NetRegistry {
  // Read at each scrape, once the executor exists.
  const netMetrics = createNetMetrics(metrics.registry, () => executor.stats());
  const executor = createExecutor(
    config,
    backend,
    (ref, bytes) => {
      netMetrics.evictions.inc({ net: ref.name });
      logger.info({ net: ref.name, version: ref.version, bytes }, 'net evicted from the cache');
    },
    logger,
  );
  return new NetRegistry({
    root: config.netsDir,
    executor,
    batching: { maxSize: config.nets.batchMaxSize, maxWaitMs: config.nets.batchMaxWaitMs },
    logger,
    clock,
    metrics: netMetrics,
  });
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
  const checkpointer = startCheckpointer(db, {
    onError: (message) => logger.warn({ error: message }, 'WAL checkpoint failed; retrying'),
  });
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
  const classifierNets = options.classifier
    ? []
    : [...new Set([config.classifierNet, ...bots.all().map((b) => b.config.nets.classifier)])];
  const shared = options.sharedNets;
  let tfBackend: string | null = null;
  // A backend for the classifiers, and for the two-tower nets unless a test injects a suggester.
  if (classifierNets.length > 0 || !options.suggester) {
    const backend = await initBackend(config.tfBackend);
    tfBackend = backend.name;
    logger.info({ backend: backend.name, skipped: backend.skipped }, 'TF.js backend');
    metrics.tfBackend.set({ backend: backend.name }, 1);
  }
  const netLogger = logger.child({ module: 'nets' });
  const nets = shared ?? createRegistry(config, tfBackend ?? config.tfBackend, metrics, clock, netLogger);
  const classifier = options.classifier ?? new NetClassifier(nets);

  // The knowledge bases; their answer vectors follow the two-tower net version in service.
  const answers = composeAnswers({
    config,
    store,
    bots,
    nets,
    logger,
    metrics,
    suggester: options.suggester,
  });
  const suggester = answers.suggester;

  const gateway = composeGateway({
    config,
    store,
    bots,
    clock,
    logger,
    metrics,
    classifier,
    suggester,
    products: shopRecommender(() => shop.service.view()),
    random: options.random,
  });

  const consoleCore = new ConsoleCore({
    reads: store.console,
    conversations: gateway.conversations,
    store: store.conversations,
    events: gateway.events,
    clock,
    categoriesOf: (name) => consoleCategories(bots.get(name), nets),
    botOf: (name) => bots.get(name),
    botNames: () => bots.all().map((b) => b.name),
    knowledgeBase: answers.knowledgeBase,
    latestReport: () => latestReportLink(store.trainingRuns),
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
          const s = nets.status(name);
          if (s.state === 'ready') return [];
          return [`${name}: ${s.state === 'failed' ? `failed to load: ${s.error}` : 'loading'}`];
        });
        return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
      },
    });
  }
  if (answers.readiness) readiness.push(answers.readiness);
  const app = createApp({
    logger,
    metrics,
    apiKeys: keys,
    readiness,
    isClosing: () => closing,
    readyInfo: () => {
      const s = nets.status(config.classifierNet);
      const q = nets.status(config.kb.qaNet);
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
      consoleReportsRoute({ runs: store.trainingRuns, operators: store.operators }),
      trainingRunsRoutes(store.trainingRuns),
      shop.mount,
      classifyRoute({
        classifier,
        netName: config.classifierNet,
        bodyLimitBytes: config.bodyLimitBytes,
        metrics,
      }),
      adminNetsRoute(nets),
      answers.mount,
      ...(options.mounts ?? []),
    ],
    apiGuards: [rateLimit(gateway.limiter)],
  });

  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
    app,
  );
  answerClientErrors(server);
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
  // load leaves the gateway up and not ready, with the reason in /readyz (and logged as
  // model_reload_failed); its messages are retried, then handed off unclassified. The watch
  // serves it as soon as CURRENT names a version that loads.
  for (const name of [...classifierNets, ...answers.netNames]) await nets.load(name).catch(() => undefined);
  // The answers are embedded before the workers start, so the first messages get suggestions;
  // a new version of a two-tower net embeds them again while the previous one keeps answering.
  await answers.start();
  const watcher = watchCurrent({ registry: nets, pollMs: config.nets.pollMs, logger: netLogger });
  gateway.start();
  const retrainSchedule = config.retrain.schedule ? startRetrainSchedule(config, bots, logger) : null;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, bots: bots.all().map((b) => b.name) }, 'neurodesk listening');

  const closers: Closer[] = [
    { name: 'retrain schedule', close: () => retrainSchedule?.stop() },
    { name: 'gateway', close: () => gateway.stop() },
    shop.closer,
    answers.closer,
    {
      name: 'nets',
      close: () => {
        watcher.close();
        return shared ? undefined : nets.close();
      },
    },
    { name: 'checkpointer', close: () => checkpointer.stop() },
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
    nets,
    answers: { knowledgeBase: answers.knowledgeBase, indexes: answers.indexes },
    tfBackend,
    close,
  };
}

/** Retrains every bot's classifier on `NEURODESK_RETRAIN_SCHEDULE`, in child processes. */
function startRetrainSchedule(config: Config, bots: BotRegistry, logger: Logger): RetrainScheduler {
  const log = logger.child({ component: 'retrain' });
  const g = config.retrain.gate;
  const scheduler = new RetrainScheduler({
    schedule: parseCron(config.retrain.schedule!),
    bots: () => bots.all().map((b) => b.name),
    logger: log,
    start: (bot) =>
      spawnRetrain(
        bot,
        {
          dataDir: config.dataDir,
          netsDir: config.netsDir,
          botsDir: config.botsDir,
          backend: config.tfBackend,
          // The child applies the gateway's own gate, whatever its environment says.
          env: {
            NEURODESK_RETRAIN_HELD_OUT: String(config.retrain.heldOutFraction),
            NEURODESK_RETRAIN_F1_TOLERANCE: String(g.macroF1Tolerance),
            NEURODESK_RETRAIN_MAX_CATEGORY_DROP: String(g.maxCategoryDrop),
            NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT: String(g.minCategorySupport),
          },
        },
        (stream, line) => (stream === 'out' ? log.info({ bot }, line) : log.debug({ bot }, line)),
      ),
  });
  scheduler.start();
  return scheduler;
}
