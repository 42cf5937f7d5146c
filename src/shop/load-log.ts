import type { SqliteShopCatalogue } from '../store/repositories/shop-catalogue.js';
import type { SqliteShopEvents } from '../store/repositories/shop-events.js';
import { type InteractionLog, InteractionLogBuilder, KIND_CODE } from './model/interaction-log.js';

/** The models' input as read from the store. */
export interface StoredLog {
  log: InteractionLog;
  titles: string[];
  lastRowId: number;
}

/**
 * Reads the catalogue and every event up to the newest row id into an interaction log.
 * The row id bound makes the build consistent with what it reports as included.
 */
export function loadStoredLog(catalogue: SqliteShopCatalogue, events: SqliteShopEvents): StoredLog {
  const lastRowId = events.lastRowId();
  const builder = new InteractionLogBuilder();
  const titles: string[] = [];
  for (const p of catalogue.all()) {
    builder.addItem(p.id, p.category);
    titles.push(p.title);
  }
  events.scan(0, lastRowId, (userId, itemId, type, timestamp, orderId) =>
    builder.add(userId, itemId, KIND_CODE[type], timestamp, orderId),
  );
  return { log: builder.build(), titles, lastRowId };
}
