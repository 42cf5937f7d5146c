import type { Clock } from '../../../core/ports.js';
import type { ShopCatalogueStore } from '../../../shop/store-port.js';
import type { Product } from '../../../shop/types.js';
import { type PgPool, type PgQueryable, withTransaction } from '../db.js';

interface ProductRow {
  id: string;
  title: string;
  category: string | null;
  price: number | null;
  attributes: string;
  repeatable: number | boolean;
  url: string | null;
}

/** Rows per INSERT: each column travels as one array parameter, so a chunk is one round trip. */
export const PRODUCT_CHUNK = 5_000;

function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    title: r.title,
    category: r.category,
    price: r.price === null ? null : Number(r.price),
    attributes: JSON.parse(r.attributes) as Product['attributes'],
    repeatable: r.repeatable === 1 || r.repeatable === true,
    url: r.url,
  };
}

/**
 * Upserts products with one statement per chunk. A product listed twice keeps its first
 * place and its last values, as one-by-one upserts would leave it (PostgreSQL refuses to
 * update one row twice in one statement, so duplicates are merged first).
 */
export async function upsertProducts(
  db: PgQueryable,
  products: readonly Product[],
  now: number,
): Promise<void> {
  const byId = new Map<string, Product>();
  for (const p of products) byId.set(p.id, p);
  const unique = [...byId.values()];
  for (let i = 0; i < unique.length; i += PRODUCT_CHUNK) {
    const chunk = unique.slice(i, i + PRODUCT_CHUNK);
    await db.query(
      `INSERT INTO shop_products (id, title, category, price, attributes, repeatable, url, created_at, updated_at)
       SELECT id, title, category, price, attributes, repeatable, url, $8, $8
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::int[], $7::text[])
         WITH ORDINALITY AS r (id, title, category, price, attributes, repeatable, url, n)
       ORDER BY n
       ON CONFLICT (id) DO UPDATE SET
         title = excluded.title, category = excluded.category, price = excluded.price,
         attributes = excluded.attributes, repeatable = excluded.repeatable, url = excluded.url,
         updated_at = excluded.updated_at`,
      [
        chunk.map((p) => p.id),
        chunk.map((p) => p.title),
        chunk.map((p) => p.category),
        chunk.map((p) => p.price),
        chunk.map((p) => JSON.stringify(p.attributes)),
        chunk.map((p) => (p.repeatable ? 1 : 0)),
        chunk.map((p) => p.url),
        now,
      ],
    );
  }
}

/** The shop's product catalogue in PostgreSQL (`shop_products`): upserted by id, never deleted. */
export class PgShopCatalogue implements ShopCatalogueStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Inserts or replaces products, all or none. */
  async upsert(products: readonly Product[]): Promise<void> {
    await withTransaction(this.pool, (db) => upsertProducts(db, products, this.clock.now()));
  }

  /** Every product, in the order they were first stored. */
  async all(): Promise<Product[]> {
    const { rows } = await this.pool.query<ProductRow>(
      'SELECT id, title, category, price, attributes, repeatable, url FROM shop_products ORDER BY seq',
    );
    return rows.map(toProduct);
  }

  /** How many products there are. */
  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM shop_products');
    return rows[0]!.n;
  }
}
