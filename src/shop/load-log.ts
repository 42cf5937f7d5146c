import { type InteractionLog, InteractionLogBuilder, KIND_CODE } from './model/interaction-log.js';
import type { ShopCatalogueStore, ShopEventStore } from './store-port.js';

/** The models' input as read from the store. */
export interface StoredLog {
  log: InteractionLog;
  titles: string[];
  lastRowId: number;
}

/** Where the models' input is read from. */
export interface ShopLogSource {
  shopCatalogue: Pick<ShopCatalogueStore, 'all'>;
  shopEvents: Pick<ShopEventStore, 'lastRowId' | 'scan'>;
}

/**
 * Reads the catalogue and every event up to the newest row id into an interaction log.
 * The row id bound makes the build consistent with what it reports as included; the
 * catalogue is read after it, so every event read names a product read.
 */
export async function loadStoredLog(store: ShopLogSource): Promise<StoredLog> {
  const lastRowId = await store.shopEvents.lastRowId();
  const builder = new InteractionLogBuilder();
  const titles: string[] = [];
  for (const p of await store.shopCatalogue.all()) {
    builder.addItem(p.id, p.category);
    titles.push(p.title);
  }
  await store.shopEvents.scan(0, lastRowId, (userId, itemId, type, timestamp, orderId) =>
    builder.add(userId, itemId, KIND_CODE[type], timestamp, orderId),
  );
  return { log: builder.build(), titles, lastRowId };
}
