import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import type { EventKind, ShopEvent } from '../../shop/types.js';

/** An event as the models read it, with its row id (events arrive in row-id order). */
export interface StoredEvent {
  rowId: number;
  userId: string;
  itemId: string;
  type: EventKind;
  timestamp: number;
  orderId: string | null;
}

/** What appending a batch did; `stored` lists the new rows (duplicates by `eventId` are skipped). */
export interface AppendResult {
  stored: StoredEvent[];
  duplicates: number;
}

/** Customer events (views, cart additions, purchases): append-only. */
export class SqliteShopEvents {
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
      .prepare<[number, number]>(
        `SELECT id, user_id, item_id, type, occurred_at, order_id FROM shop_events
         WHERE id > ? AND id <= ? ORDER BY id`,
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
  append(events: readonly ShopEvent[]): AppendResult {
    return this.tx.immediate(events);
  }

  /** Appends one event inside the caller's transaction; null when its `eventId` was already stored. */
  insertOne(e: ShopEvent): number | null {
    const r = this.insertStmt.run({ ...e, now: this.clock.now() });
    return r.changes === 0 ? null : Number(r.lastInsertRowid);
  }

  /** The newest row id (0 when there are no events). */
  lastRowId(): number {
    return this.lastStmt.get()!.id ?? 0;
  }

  /** How many events there are. */
  count(): number {
    return this.countStmt.get()!.n;
  }

  /** Calls `visit` for every event with `after < rowId <= upTo`, oldest first, without building objects. */
  scan(
    after: number,
    upTo: number,
    visit: (
      userId: string,
      itemId: string,
      type: EventKind,
      timestamp: number,
      orderId: string | null,
    ) => void,
  ): void {
    for (const row of this.scanStmt.iterate(after, upTo) as Iterable<
      [number, string, string, EventKind, number, string | null]
    >) {
      visit(row[1], row[2], row[3], row[4], row[5]);
    }
  }
}
