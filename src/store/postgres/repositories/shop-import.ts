import type { Clock } from '../../../core/ports.js';
import type { ImportCounts, ShopImportStore } from '../../../shop/store-port.js';
import type { Product, ShopEvent } from '../../../shop/types.js';
import { type PgPool, withTransaction } from '../db.js';
import { upsertProducts } from './shop-catalogue.js';
import { importEvents, lockEventAppends } from './shop-events.js';

/**
 * The shop's bulk import (CLI, demo shop) in PostgreSQL: products, events and an optional
 * state mark in one transaction, a few thousand rows per statement (one round trip each).
 */
export class PgShopImport implements ShopImportStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Upserts the products, appends the events (skipping duplicates by `eventId`), sets `mark`: all or none. */
  async storeImport(
    data: { products: readonly Product[]; events: readonly ShopEvent[] },
    mark?: { key: string; value: string },
  ): Promise<ImportCounts> {
    const now = this.clock.now();
    return withTransaction(this.pool, async (db) => {
      await upsertProducts(db, data.products, now);
      if (data.events.length > 0) await lockEventAppends(db);
      const { stored, duplicates } = await importEvents(db, data.events, now);
      if (mark) {
        await db.query(
          `INSERT INTO shop_state (key, value, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          [mark.key, mark.value, now],
        );
      }
      return { products: data.products.length, events: stored, duplicates };
    });
  }
}
