/**
 * The nets as a feature: the registry of the nets in service (its executor, batching and
 * metrics), `POST /api/v1/classify`, `GET /api/v1/admin/nets`, the classifiers' readiness,
 * and at start the loading of every net a bot names and the watch of their CURRENT files.
 */
import type { ReadinessCheck } from '../app.js';
import type { Config } from '../config.js';
import type { BotRegistry } from '../core/bots/bot.js';
import type { Clock, TicketClassifier } from '../core/ports.js';
import type { Feature } from '../feature.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { adminNetsRoute } from './admin-nets-route.js';
import { adminRollbackRoute } from './admin-rollback-route.js';
import { type BackendChoice, initBackend } from './backend.js';
import { classifyRoute } from './classify-route.js';
import { MISSED_BEATS, startInstanceHeartbeat } from './instance-heartbeat.js';
import type { InstanceIdentity, InstanceRegistry } from './instances-port.js';
import { NetClassifier } from './net-classifier.js';
import { watchCurrent } from './runtime/current-watcher.js';
import { LocalExecutor, type NetExecutor } from './runtime/executor.js';
import { NetHost } from './runtime/net-host.js';
import { createNetMetrics } from './runtime/net-metrics.js';
import { NetRegistry } from './runtime/net-registry.js';
import { WorkerExecutor } from './runtime/worker-executor.js';

/** What the nets feature is built from. */
export interface NetsParts {
  config: Config;
  bots: BotRegistry;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
  /** A classifier injected by a test: no classifier net is loaded then. */
  classifier?: TicketClassifier;
  /** Whether the two-tower nets run here too (no test suggester): they need a backend. */
  needsBackend: boolean;
  /** A registry built by the caller, left open at close. */
  shared?: NetRegistry;
  /** Where this instance records what it serves, for the listing of every instance's nets. */
  instances?: {
    registry: InstanceRegistry;
    identity: InstanceIdentity;
    everyMs?: number;
    /** An instance of the cluster stopped beating without a clean stop. */
    onPeerLost?: (ids: string[]) => void;
  };
}

/** The nets feature and what other features use of it. */
export interface NetsFeature extends Feature {
  registry: NetRegistry;
  classifier: TicketClassifier;
  /** The active TF.js backend, or null when no net runs here. */
  tfBackend: string | null;
  /** Nets to load at start besides the classifiers (the two-tower nets of the answers). */
  alsoLoad(names: readonly string[]): void;
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
function createRegistry(config: Config, backend: string, metrics: Metrics, clock: Clock, logger: Logger) {
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

/**
 * A readiness check that the named nets are loaded (none when there are none), with the
 * reason of each that is not: loading, or failed to load and why.
 */
export function netsReadiness(
  name: string,
  registry: NetRegistry,
  nets: readonly string[],
): ReadinessCheck[] {
  if (nets.length === 0) return [];
  const check = () => {
    const problems = nets.flatMap((net) => {
      const s = registry.status(net);
      if (s.state === 'ready') return [];
      return [`${net}: ${s.state === 'failed' ? `failed to load: ${s.error}` : 'loading'}`];
    });
    return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
  };
  return [{ name, check }];
}

/** Builds the nets feature (the backend is chosen now; nets load at start). */
export async function createNetsFeature(p: NetsParts): Promise<NetsFeature> {
  const { config, metrics, logger } = p;
  // The default classifier and every one a bot names, unless a test injects its own.
  const classifierNets = p.classifier
    ? []
    : [...new Set([config.classifierNet, ...p.bots.all().map((b) => b.config.nets.classifier)])];
  let tfBackend: string | null = null;
  if (classifierNets.length > 0 || p.needsBackend) {
    const backend = await initBackend(config.tfBackend);
    tfBackend = backend.name;
    logger.info({ backend: backend.name, skipped: backend.skipped }, 'TF.js backend');
    metrics.tfBackend.set({ backend: backend.name }, 1);
  }
  const netLogger = logger.child({ module: 'nets' });
  const registry =
    p.shared ?? createRegistry(config, tfBackend ?? config.tfBackend, metrics, p.clock, netLogger);
  const classifier = p.classifier ?? new NetClassifier(registry);
  const toLoad = [...classifierNets];
  let watcher: { close(): void } | undefined;
  let heartbeat: { close(): Promise<void> } | undefined;
  const beatMs = p.instances?.everyMs ?? 5000;
  const inst = p.instances;
  const cluster = inst
    ? async () => ({
        self: inst.identity.id,
        instances: await inst.registry.list(p.clock.now() - MISSED_BEATS * beatMs),
      })
    : undefined;
  return {
    name: 'nets',
    registry,
    classifier,
    tfBackend,
    alsoLoad: (names) => toLoad.push(...names),
    mounts: [
      classifyRoute({
        classifier,
        netName: config.classifierNet,
        bodyLimitBytes: config.bodyLimitBytes,
        metrics,
      }),
      adminNetsRoute(registry, cluster),
      adminRollbackRoute(registry, logger),
    ],
    readiness: netsReadiness('classifier', registry, classifierNets),
    // Loaded after listening, so probes see /readyz 503 (not a refused connection) meanwhile,
    // and before the workers start, so the first messages find their nets. A net that fails to
    // load leaves the gateway up and not ready, with the reason in /readyz (and logged as
    // model_reload_failed); its messages are retried, then handed off unclassified. The watch
    // serves it as soon as CURRENT names a version that loads.
    async start() {
      for (const name of toLoad) await registry.load(name).catch(() => undefined);
      watcher = watchCurrent({ registry, pollMs: config.nets.pollMs, logger: netLogger });
      if (inst) {
        heartbeat = startInstanceHeartbeat({
          nets: registry,
          instances: inst.registry,
          identity: inst.identity,
          everyMs: beatMs,
          clock: p.clock,
          logger: netLogger,
          onPeerLost: inst.onPeerLost,
        });
      }
    },
    async close() {
      watcher?.close();
      await heartbeat?.close();
      if (!p.shared) await registry.close();
    },
  };
}
