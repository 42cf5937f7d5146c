import type Database from 'better-sqlite3';
import type { ImportCounts, ImportMark, ShopImportStore } from '../../shop/store-port.js';
import type { Product, ShopEvent } from '../../shop/types.js';
import type { SqliteShopCatalogue } from './shop-catalogue.js';
import type { SqliteShopEvents } from './shop-events.js';
import type { SqliteShopState } from './shop-state.js';

/** A bulk import of products and events (and an optional state mark) in one transaction. */
export class SqliteShopImport implements ShopImportStore {
  private readonly tx;

  constructor(
    db: Database.Database,
    catalogue: SqliteShopCatalogue,
    events: SqliteShopEvents,
    state: SqliteShopState,
  ) {
    this.tx = db.transaction(
      (
        data: { products: readonly Product[]; events: readonly ShopEvent[] },
        mark: ImportMark | undefined,
      ): ImportCounts => {
        if (mark?.once && state.getNow(mark.key) !== undefined)
          return { products: 0, events: 0, duplicates: 0, alreadyMarked: true };
        for (const p of data.products) catalogue.insertOne(p);
        let duplicates = 0;
        for (const e of data.events) if (events.insertOne(e) === null) duplicates++;
        if (mark) state.setNow(mark.key, mark.value);
        return { products: data.products.length, events: data.events.length - duplicates, duplicates };
      },
    );
  }

  async storeImport(
    data: { products: readonly Product[]; events: readonly ShopEvent[] },
    mark?: ImportMark,
  ): Promise<ImportCounts> {
    return this.tx.immediate(data, mark);
  }
}
