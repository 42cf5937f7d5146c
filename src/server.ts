import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { resolveApiKeys } from './api-keys.js';
import { createApp, type ReadinessCheck, type RouteMount } from './app.js';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/ports.js';
import { type Closer, gracefulShutdown, trackInFlight } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type ShopDeps, type ShopModule, startShop } from './shop/index.js';
import { closeDatabase, createStore, openDatabase, type Store } from './store/index.js';

/** Options for {@link startGateway}; tests inject a logger, clock or extra routes. */
export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  mounts?: readonly RouteMount[];
  /** Overrides for the shop module (tests swap the model builder or parameters). */
  shop?: Partial<Pick<ShopDeps, 'builder' | 'features' | 'params'>>;
  /** Called once with a key generated at first start (development), to show it to the user. */
  onGeneratedKey?: (key: string) => void;
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
  /** Stops gracefully; resolves `true` if everything finished in time. */
  close(): Promise<boolean>;
}

/** The composition root: builds every part from the config and listens. */
export async function startGateway(config: Config, options: StartOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
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
    mounts: [shop.mount, ...(options.mounts ?? [])],
  });

  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
    app,
  );
  const inFlight = trackInFlight(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'neurodesk listening');

  const closers: Closer[] = [shop.closer, { name: 'database', close: () => closeDatabase(db) }];
  let closingPromise: Promise<boolean> | undefined;
  const close = () => {
    closing = true;
    closingPromise ??= gracefulShutdown({
      server,
      inFlight,
      closers,
      timeoutMs: config.shutdownTimeoutMs,
      logger,
    });
    return closingPromise;
  };
  return { url, server, store, metrics, shop, apiKeys: keys, logger, close };
}
