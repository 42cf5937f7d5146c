import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import type { ShopStateStore } from '../../shop/store-port.js';

/** Small named facts about the shop that must survive restarts (e.g. "demo loaded"). */
export class SqliteShopState implements ShopStateStore {
  private readonly getStmt;
  private readonly setStmt;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM shop_state WHERE key = ?');
    this.setStmt = db.prepare(
      `INSERT INTO shop_state (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  /** The value stored under `key`, if any. */
  async get(key: string): Promise<string | undefined> {
    return this.getStmt.get(key)?.value;
  }

  /** Stores `value` under `key`. */
  async set(key: string, value: string): Promise<void> {
    this.setNow(key, value);
  }

  /** The value under `key`, inside the caller's transaction. */
  getNow(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  /** Stores `value` under `key` inside the caller's transaction. */
  setNow(key: string, value: string): void {
    this.setStmt.run(key, value, this.clock.now());
  }
}
