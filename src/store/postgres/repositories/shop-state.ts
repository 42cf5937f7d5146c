import type { Clock } from '../../../core/ports.js';
import type { ShopStateStore } from '../../../shop/store-port.js';
import type { PgPool } from '../db.js';

/** Small named facts about the shop that must survive restarts, in PostgreSQL (`shop_state`). */
export class PgShopState implements ShopStateStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** The value stored under `key`, if any. */
  async get(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM shop_state WHERE key = $1', [
      key,
    ]);
    return rows[0]?.value;
  }

  /** Stores `value` under `key`. */
  async set(key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO shop_state (key, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, value, this.clock.now()],
    );
  }
}
