import { createHash } from 'node:crypto';
import type { Clock } from '../../../core/ports.js';
import {
  type AppendResult,
  SHOP_SCAN_SLICE,
  type ShopEventStore,
  type StoredEvent,
} from '../../../shop/store-port.js';
import type { EventKind, ShopEvent } from '../../../shop/types.js';
import { type PgPool, type PgQueryable, withTransaction } from '../db.js';

/** Rows per INSERT (one round trip each; each column travels as one array parameter). */
export const EVENT_CHUNK = 10_000;
/** Rows per page when scanning events. */
const SCAN_PAGE = 50_000;

/**
 * The transaction-scoped advisory lock appends take (`neurodesk:shop-events-append`, hashed as
 * the cluster's named locks are). Identity values are handed out at INSERT but become visible
 * at COMMIT: two concurrent appends could commit out of id order, and a model built up to
 * `lastRowId()` would skip the late, lower ids for good (its live list drops ids up to there).
 * Appends taking turns commit in id order, as SQLite's single writer does.
 */
export const SHOP_EVENTS_APPEND_LOCK = createHash('sha256')
  .update('neurodesk:shop-events-append')
  .digest()
  .readBigInt64BE(0)
  .toString();

/** Waits for this transaction's turn to append events (see {@link SHOP_EVENTS_APPEND_LOCK}). */
export async function lockEventAppends(db: PgQueryable): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [SHOP_EVENTS_APPEND_LOCK]);
}

type EventTuple = [number, string, string, EventKind, number, string | null];

// Identity values follow the SELECT's order, so returned ids sort back into the input order.
const INSERT_EVENTS = `INSERT INTO shop_events (user_id, item_id, type, quantity, occurred_at, order_id, event_id, received_at)
  SELECT user_id, item_id, type, quantity, occurred_at, order_id, event_id, $8
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[])
    WITH ORDINALITY AS r (user_id, item_id, type, quantity, occurred_at, order_id, event_id, n)
  ORDER BY n
  ON CONFLICT (event_id) DO NOTHING`;

/** One chunk's columns, each one array parameter of {@link INSERT_EVENTS}. */
const columns = (chunk: readonly ShopEvent[], now: number) => [
  chunk.map((e) => e.userId),
  chunk.map((e) => e.itemId),
  chunk.map((e) => e.type),
  chunk.map((e) => e.quantity),
  chunk.map((e) => e.timestamp),
  chunk.map((e) => e.orderId),
  chunk.map((e) => e.eventId),
  now,
];

/**
 * Appends events with one statement per chunk; an event whose `eventId` is already stored (or
 * repeated earlier in the batch) is skipped, as one-by-one inserts would skip it. Returns the
 * stored rows in the order given.
 */
export async function insertEvents(
  db: PgQueryable,
  events: readonly ShopEvent[],
  now: number,
): Promise<AppendResult> {
  const stored: StoredEvent[] = [];
  for (let i = 0; i < events.length; i += EVENT_CHUNK) {
    const chunk = events.slice(i, i + EVENT_CHUNK);
    const { rows } = await db.query<{ id: number; event_id: string | null }>(
      `${INSERT_EVENTS} RETURNING id, event_id`,
      columns(chunk, now),
    );
    // Events with an id are matched by it; those without one were all stored, in order.
    const idOf = new Map<string, number>();
    const anonymous: number[] = [];
    for (const r of rows) {
      if (r.event_id === null) anonymous.push(r.id);
      else idOf.set(r.event_id, r.id);
    }
    anonymous.sort((x, y) => x - y);
    let next = 0;
    for (const e of chunk) {
      const rowId = e.eventId === null ? anonymous[next++] : idOf.get(e.eventId);
      if (rowId === undefined) continue;
      if (e.eventId !== null) idOf.delete(e.eventId); // a repeat later in the batch is a duplicate
      stored.push({ ...e, rowId });
    }
  }
  return { stored, duplicates: events.length - stored.length };
}

/** As {@link insertEvents} for a bulk import that needs only the counts (no rows sent back). */
export async function importEvents(
  db: PgQueryable,
  events: readonly ShopEvent[],
  now: number,
): Promise<{ stored: number; duplicates: number }> {
  let stored = 0;
  for (let i = 0; i < events.length; i += EVENT_CHUNK) {
    const chunk = events.slice(i, i + EVENT_CHUNK);
    stored += (await db.query(INSERT_EVENTS, columns(chunk, now))).rowCount ?? 0;
  }
  return { stored, duplicates: events.length - stored };
}

/** Customer events in PostgreSQL (`shop_events`): append-only. */
export class PgShopEvents implements ShopEventStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Appends a batch, all or none. */
  async append(events: readonly ShopEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { stored: [], duplicates: 0 };
    return withTransaction(this.pool, async (db) => {
      await lockEventAppends(db);
      return insertEvents(db, events, this.clock.now());
    });
  }

  /** The newest row id (0 when there are no events). */
  async lastRowId(): Promise<number> {
    const { rows } = await this.pool.query<{ id: number | null }>('SELECT MAX(id) AS id FROM shop_events');
    return rows[0]!.id === null ? 0 : Number(rows[0]!.id);
  }

  /** How many events there are. */
  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM shop_events');
    return rows[0]!.n;
  }

  /**
   * Calls `visit` for every event with `after < rowId <= upTo`, oldest first, a page at a
   * time (rows as arrays: no object per row beyond the driver's), visited a slice at a time
   * with a yield to the event loop between slices (a page is far more than a slice).
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
    const db = this.pool;
    let from = after;
    for (;;) {
      const { rows } = await db.query<EventTuple>({
        text: `SELECT id, user_id, item_id, type, occurred_at, order_id FROM shop_events
               WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`,
        values: [from, upTo, SCAN_PAGE],
        rowMode: 'array',
      });
      for (let i = 0; i < rows.length; i++) {
        if (i > 0 && i % SHOP_SCAN_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const r = rows[i]!;
        visit(r[1], r[2], r[3], Number(r[4]), r[5]);
      }
      if (rows.length < SCAN_PAGE) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      from = Number(rows[rows.length - 1]![0]);
    }
  }
}
