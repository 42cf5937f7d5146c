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
import { type Closer, gracefulShutdown, trackInFlight } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type ShopDeps, type ShopModule, startShop } from './shop/index.js';
import { closeDatabase, createStore, openDatabase, type Store } from './store/index.js';
import { rateLimit } from './transport/http/rate-limit.js';
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
  /** Stops gracefully; resolves `true` if everything finished in time. */
  close(): Promise<boolean>;
}

// Until a nets runtime is wired in, the pipeline fails (and retries, then hands off) rather than guess.
const netsNotLoaded = (what: string) => () => Promise.reject(new Error(`${what} is not available`));

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

  const gateway = composeGateway({
    config,
    store,
    bots,
    clock,
    logger,
    metrics,
    classifier: options.classifier ?? { classify: netsNotLoaded('the ticket classifier') },
    suggester: options.suggester ?? { suggest: netsNotLoaded('the answer suggester') },
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
  const app = createApp({
    logger,
    metrics,
    apiKeys: keys,
    readiness,
    isClosing: () => closing,
    mounts: [...gateway.mounts, consoleFeature.mount, shop.mount, ...(options.mounts ?? [])],
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
  gateway.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, bots: bots.all().map((b) => b.name) }, 'neurodesk listening');

  const closers: Closer[] = [
    { name: 'gateway', close: () => gateway.stop() },
    shop.closer,
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
  return { url, server, store, metrics, shop, apiKeys: keys, logger, bots, core, close };
}
