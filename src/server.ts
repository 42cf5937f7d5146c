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
import { closeDatabase, createStore, openDatabase, type Store } from './store/index.js';

/** Options for {@link startGateway}; tests inject a logger, clock or extra routes. */
export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  mounts?: readonly RouteMount[];
  /** Called once with a key generated at first start (development), to show it to the user. */
  onGeneratedKey?: (key: string) => void;
}

/** A running gateway. */
export interface Gateway {
  url: string;
  server: Server;
  store: Store;
  metrics: Metrics;
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

  const db = openDatabase(join(config.dataDir, 'neurodesk.db'), { busyTimeoutMs: config.dbBusyTimeoutMs });
  const store = createStore(db, clock);
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
  ];
  const app = createApp({
    logger,
    metrics,
    apiKeys: keys,
    readiness,
    isClosing: () => closing,
    mounts: options.mounts ?? [],
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

  const closers: Closer[] = [{ name: 'database', close: () => closeDatabase(db) }];
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
  return { url, server, store, metrics, apiKeys: keys, logger, close };
}
