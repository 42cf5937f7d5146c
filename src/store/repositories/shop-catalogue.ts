import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import type { ShopCatalogueStore } from '../../shop/store-port.js';
import type { Product } from '../../shop/types.js';

interface ProductRow {
  id: string;
  title: string;
  category: string | null;
  price: number | null;
  attributes: string;
  repeatable: number;
  url: string | null;
}

/** Turns a stored row into a {@link Product}. */
export function productFromRow(r: ProductRow): Product {
  return {
    id: r.id,
    title: r.title,
    category: r.category,
    price: r.price,
    attributes: JSON.parse(r.attributes) as Product['attributes'],
    repeatable: r.repeatable === 1,
    url: r.url,
  };
}

/** The shop's product catalogue. Products are upserted by id and never deleted (events refer to them). */
export class SqliteShopCatalogue implements ShopCatalogueStore {
  private readonly upsertStmt;
  private readonly allStmt;
  private readonly countStmt;
  private readonly tx;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO shop_products (id, title, category, price, attributes, repeatable, url, created_at, updated_at)
       VALUES (@id, @title, @category, @price, @attributes, @repeatable, @url, @now, @now)
       ON CONFLICT (id) DO UPDATE SET
         title = excluded.title, category = excluded.category, price = excluded.price,
         attributes = excluded.attributes, repeatable = excluded.repeatable, url = excluded.url,
         updated_at = excluded.updated_at`,
    );
    this.allStmt = db.prepare<[], ProductRow>(
      'SELECT id, title, category, price, attributes, repeatable, url FROM shop_products ORDER BY rowid',
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM shop_products');
    this.tx = db.transaction((products: readonly Product[]) => {
      for (const p of products) this.insertOne(p);
    });
  }

  /** Inserts or replaces products, all or none. */
  async upsert(products: readonly Product[]): Promise<void> {
    this.tx.immediate(products);
  }

  /** Inserts or replaces one product, inside the caller's transaction (bulk import). */
  insertOne(p: Product): void {
    this.upsertStmt.run({
      id: p.id,
      title: p.title,
      category: p.category,
      price: p.price,
      attributes: JSON.stringify(p.attributes),
      repeatable: p.repeatable ? 1 : 0,
      url: p.url,
      now: this.clock.now(),
    });
  }

  /** Every product, in the order they were first stored. */
  async all(): Promise<Product[]> {
    return this.allStmt.all().map(productFromRow);
  }

  /** How many products there are. */
  async count(): Promise<number> {
    return this.countStmt.get()!.n;
  }
}
