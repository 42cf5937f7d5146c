import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/core/ports.js';
import { storeImport } from '../../src/shop/import/importer.js';
import { DEFAULT_PARAMS } from '../../src/shop/model/params.js';
import { buildFromStore } from '../../src/shop/model-builder.js';
import type { Product, ShopEvent } from '../../src/shop/types.js';
import { openSqliteStore } from '../../src/store/index.js';
import { categoryOf, titleCase } from '../../training/shop/categories.js';
import { type RetailLine, repeatableProducts } from '../../training/shop/online-retail.js';

/** The whole Online Retail set stored as a shop: how long storing and building take. */
export interface WholeRetail {
  dataDir: string;
  products: number;
  events: number;
  importSeconds: number;
  buildSeconds: number;
  users: string[];
  items: string[];
}

/**
 * Stores every purchase line of Online Retail in a fresh database under `dir` (guests, lines
 * without a customer, become one user per invoice), then times the production build path:
 * read the store, build every model.
 */
export async function storeWholeRetail(lines: readonly RetailLine[], dir: string): Promise<WholeRetail> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'neurodesk.db');
  const repeatable = repeatableProducts(lines);
  const products = new Map<string, Product>();
  for (const l of lines) {
    if (products.has(l.stockCode)) continue;
    products.set(l.stockCode, {
      id: l.stockCode,
      title: titleCase(l.description || l.stockCode),
      category: categoryOf(l.description),
      price: l.unitPrice,
      attributes: {},
      repeatable: repeatable.has(l.stockCode),
      url: null,
    });
  }
  const events: ShopEvent[] = lines.map((l) => ({
    userId: l.customerId ?? `guest:${l.invoice}`,
    itemId: l.stockCode,
    type: 'purchase',
    quantity: l.quantity,
    timestamp: l.time,
    orderId: l.invoice,
    eventId: null,
  }));
  const store = openSqliteStore(dbPath, { clock: systemClock });
  const started = performance.now();
  await storeImport(store, { products: [...products.values()], events });
  const importSeconds = (performance.now() - started) / 1000;
  const buildStarted = performance.now();
  await buildFromStore(store, dbPath, DEFAULT_PARAMS, Date.now());
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  await store.close();
  const customers = [...new Set(lines.map((l) => l.customerId).filter((c): c is string => c !== null))];
  return {
    dataDir: dir,
    products: products.size,
    events: events.length,
    importSeconds,
    buildSeconds,
    users: customers,
    items: [...products.keys()],
  };
}
