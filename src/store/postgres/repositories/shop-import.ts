import type { Clock } from '../../../core/ports.js';
import type { ImportCounts, ImportMark, ShopImportStore } from '../../../shop/store-port.js';
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
    mark?: ImportMark,
  ): Promise<ImportCounts> {
    const now = this.clock.now();
    return withTransaction(this.pool, async (db) => {
      if (mark?.once) {
        // Claimed first: a second gateway's insert waits for this transaction, then finds the
        // key and stores nothing (or takes over if this one rolls back).
        const { rows } = await db.query(
          `INSERT INTO shop_state (key, value, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [mark.key, mark.value, now],
        );
        if (rows.length === 0) return { products: 0, events: 0, duplicates: 0, alreadyMarked: true };
      }
      await upsertProducts(db, data.products, now);
      if (data.events.length > 0) await lockEventAppends(db);
      const { stored, duplicates } = await importEvents(db, data.events, now);
      if (mark && !mark.once) {
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
