import type { ReadinessCheck, RouteMount } from '../app.js';
import type { Clock } from '../core/ports.js';
import type { Feature } from '../feature.js';
import type { Closer } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import { DEMO_LOADED_KEY, loadDemoShop } from './demo.js';
import { neighboursStamp } from './import/neighbours.js';
import type { TextFeatures } from './model/content-index.js';
import { DEFAULT_PARAMS, type ModelParams } from './model/params.js';
import { buildFromStore, type ModelBuilder, workerBuilder } from './model-builder.js';
import { ModelManager } from './model-manager.js';
import { shopRoutes } from './routes.js';
import { ShopService } from './service.js';
import { trigramFeatures } from './text-features.js';

/**
 * Up to this many stored events, the first model is built on the main thread before the
 * server listens (about a second here for 100,000): nothing is being served yet, and it
 * saves starting the worker and moving the model across on the way to ready. Bigger shops
 * listen at once and build in the worker.
 */
export const INLINE_FIRST_BUILD_EVENTS = 100_000;

/** Shop settings from the config. */
export interface ShopSettings {
  /** Load the demo shop into an empty database at start. */
  demo: boolean;
  demoDir: string;
  rebuildIntervalMs: number;
  bodyLimitBytes: number;
}

/** What the composition root passes in; tests may swap the builder, features or params. */
export interface ShopDeps {
  store: Store;
  /** The SQLite file's path: imported neighbour lists are a file beside it (in the data folder). */
  dbPath: string;
  clock: Clock;
  logger: Logger;
  settings: ShopSettings;
  builder?: ModelBuilder;
  features?: TextFeatures;
  params?: ModelParams;
}

/** The shop module as the gateway sees it. */
export interface ShopModule {
  service: ShopService;
  manager: ModelManager;
  mount: RouteMount;
  readiness: ReadinessCheck;
  closer: Closer;
  /** Resolves once the first model is in service (after the demo load, if any). */
  ready: Promise<void>;
}

/**
 * Builds the shop and starts it in the background: the demo load (first start only) and
 * the first model build run after the server listens; `/readyz` reports "shop" ready
 * when the first model is in service.
 */
export async function startShop(deps: ShopDeps): Promise<ShopModule> {
  const features = deps.features ?? trigramFeatures();
  const service = new ShopService(deps.store, deps.clock, features, (err) =>
    deps.logger.error({ err }, 'shop catalogue not reloaded'),
  );
  await service.reloadCatalogue();
  const catalogueSize = () => deps.store.shopCatalogue.count();
  const manager = new ModelManager({
    builder: deps.builder ?? workerBuilder(deps.store, deps.dbPath),
    params: deps.params ?? DEFAULT_PARAMS,
    clock: deps.clock,
    logger: deps.logger,
    changedSince: async (s) =>
      (await deps.store.shopEvents.lastRowId()) !== s.data.lastRowId ||
      (await catalogueSize()) !== s.data.items.length ||
      neighboursStamp(deps.dbPath) !== s.data.importedStamp,
    onSwap: (s) => service.swap(s),
  });
  let failure: string | undefined;
  let stopping = false;
  const demoPending =
    deps.settings.demo &&
    (await deps.store.shopState.get(DEMO_LOADED_KEY)) === undefined &&
    (await catalogueSize()) === 0;
  if (!demoPending && (await deps.store.shopEvents.count()) <= INLINE_FIRST_BUILD_EVENTS) {
    manager.install(
      await buildFromStore(deps.store, deps.dbPath, deps.params ?? DEFAULT_PARAMS, deps.clock.now()),
    );
  }
  const ready = (async () => {
    if (demoPending) {
      try {
        // Stopping during the load leaves the database untouched (the store is in one transaction).
        await loadDemoShop(deps.store, deps.settings.demoDir, deps.clock, deps.logger, () => stopping);
        await service.reloadCatalogue();
      } catch (err) {
        deps.logger.error({ err }, 'demo shop not loaded');
      }
    }
    if (stopping) return;
    if (!manager.current()) await manager.rebuild();
    else if (manager.current()!.data.similarity.provisional) {
      // The first build on this thread had no TF.js backend and stood in with co-occurrence
      // lists: they serve now, and the worker (which loads one) replaces them at once.
      manager.rebuild().catch((err) => {
        if (!stopping) deps.logger.error({ err }, 'shop model rebuild failed');
      });
    }
    if (!stopping) manager.schedule(deps.settings.rebuildIntervalMs);
  })().catch((err) => {
    failure = (err as Error).message;
    if (stopping) throw err;
    deps.logger.error({ err }, 'shop models not built; retrying on the rebuild schedule');
    manager.schedule(deps.settings.rebuildIntervalMs);
    throw err;
  });
  // The gateway must not die of an unhandled rejection when nobody awaits `ready`.
  ready.catch(() => {});
  return {
    service,
    manager,
    mount: shopRoutes({ service, manager, bodyLimitBytes: deps.settings.bodyLimitBytes }),
    readiness: {
      name: 'shop',
      check: () =>
        manager.current() ? { ok: true } : { ok: false, detail: failure ?? 'building the first model' },
    },
    closer: {
      name: 'shop models',
      close: async () => {
        stopping = true;
        // A build in progress is abandoned rather than waited for (the demo load, if any,
        // stops at its own check).
        await manager.close();
        await ready.catch(() => {});
      },
    },
    ready,
  };
}

/** The shop as the composition root mounts it (see `src/feature.ts`). */
export function shopFeature(shop: ShopModule): Feature {
  return {
    name: 'shop',
    mounts: [shop.mount],
    readiness: [shop.readiness],
    close: () => shop.closer.close(),
  };
}
