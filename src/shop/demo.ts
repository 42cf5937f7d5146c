import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/ports.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import { readImport, storeImport } from './import/importer.js';

/** The shop_state key recording that the demo shop was loaded (and when). */
export const DEMO_LOADED_KEY = 'demo_loaded';

/** What {@link loadDemoShop} did. */
export type DemoOutcome =
  | { loaded: true; products: number; events: number; ms: number }
  | { loaded: false; why: 'already_loaded' | 'catalogue_not_empty' | 'files_missing' | 'cancelled' };

/**
 * Loads the demo catalogue and purchase history (`products.csv`, `events.csv.gz` in `dir`)
 * once per database: never again after it was loaded, and never into a shop that already
 * has products of its own. Rows are read and checked first, then stored in one transaction
 * together with the "loaded" mark, so a crash leaves either everything or nothing.
 */
export async function loadDemoShop(
  store: Pick<Store, 'shopImport' | 'shopCatalogue' | 'shopState'>,
  dir: string,
  clock: Clock,
  logger: Logger,
  cancelled: () => boolean = () => false,
): Promise<DemoOutcome> {
  if ((await store.shopState.get(DEMO_LOADED_KEY)) !== undefined)
    return { loaded: false, why: 'already_loaded' };
  if ((await store.shopCatalogue.count()) > 0) return { loaded: false, why: 'catalogue_not_empty' };
  const files = { products: join(dir, 'products.csv'), events: join(dir, 'events.csv.gz') };
  if (!existsSync(files.products) || !existsSync(files.events)) {
    logger.warn({ dir }, 'demo shop files not found; starting with an empty shop');
    return { loaded: false, why: 'files_missing' };
  }
  const started = performance.now();
  const data = await readImport(files, clock.now(), new Set());
  if (cancelled()) return { loaded: false, why: 'cancelled' };
  const stored = await storeImport(store, data, {
    key: DEMO_LOADED_KEY,
    value: new Date(clock.now()).toISOString(),
    once: true,
  });
  if (stored.alreadyMarked) return { loaded: false, why: 'already_loaded' };
  const ms = Math.round(performance.now() - started);
  logger.info({ products: stored.products, events: stored.events, ms }, 'demo shop loaded');
  return { loaded: true, products: stored.products, events: stored.events, ms };
}
