import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import {
  type AppendResult,
  SHOP_SCAN_SLICE,
  type ShopEventStore,
  type StoredEvent,
} from '../../shop/store-port.js';
import type { EventKind, ShopEvent } from '../../shop/types.js';

export type { AppendResult, StoredEvent };

/** Events read per page by {@link SqliteShopEvents.scan}: a few milliseconds of the event loop each. */
const SCAN_PAGE = SHOP_SCAN_SLICE;

/** Customer events (views, cart additions, purchases): append-only. */
export class SqliteShopEvents implements ShopEventStore {
  private readonly insertStmt;
  private readonly lastStmt;
  private readonly countStmt;
  private readonly scanStmt;
  private readonly tx;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO shop_events (user_id, item_id, type, quantity, occurred_at, order_id, event_id, received_at)
       VALUES (@userId, @itemId, @type, @quantity, @timestamp, @orderId, @eventId, @now)
       ON CONFLICT (event_id) DO NOTHING`,
    );
    this.lastStmt = db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM shop_events');
    this.countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM shop_events');
    this.scanStmt = db
      .prepare<[number, number, number]>(
        `SELECT id, user_id, item_id, type, occurred_at, order_id FROM shop_events
         WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`,
      )
      .raw(true);
    this.tx = db.transaction((events: readonly ShopEvent[]): AppendResult => {
      const stored: StoredEvent[] = [];
      let duplicates = 0;
      for (const e of events) {
        const rowId = this.insertOne(e);
        if (rowId === null) duplicates++;
        else stored.push({ ...e, rowId });
      }
      return { stored, duplicates };
    });
  }

  /** Appends a batch, all or none. */
  async append(events: readonly ShopEvent[]): Promise<AppendResult> {
    return this.tx.immediate(events);
  }

  /** Appends one event inside the caller's transaction; null when its `eventId` was already stored. */
  insertOne(e: ShopEvent): number | null {
    const r = this.insertStmt.run({ ...e, now: this.clock.now() });
    return r.changes === 0 ? null : Number(r.lastInsertRowid);
  }

  /** The newest row id (0 when there are no events). */
  async lastRowId(): Promise<number> {
    return this.lastStmt.get()!.id ?? 0;
  }

  /** How many events there are. */
  async count(): Promise<number> {
    return this.countStmt.get()!.n;
  }

  /**
   * Calls `visit` for every event with `after < rowId <= upTo`, oldest first, without
   * building objects. Reads a page at a time and yields to the event loop between pages, so
   * a long scan does not hold up requests.
   */
  async scan(
    after: number,
    upTo: number,
    visit: (
      userId: string,
      itemId: string,
      type: EventKind,
      timestamp: number,
      orderId: string | null,
    ) => void,
  ): Promise<void> {
    let from = after;
    for (;;) {
      let n = 0;
      for (const row of this.scanStmt.iterate(from, upTo, SCAN_PAGE) as Iterable<
        [number, string, string, EventKind, number, string | null]
      >) {
        visit(row[1], row[2], row[3], row[4], row[5]);
        from = row[0];
        n++;
      }
      if (n < SCAN_PAGE) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
