import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closePostgres,
  createPostgresStore,
  openPostgres,
  type PgPool,
} from '../../src/store/postgres/index.js';
import { SHOP_EVENTS_APPEND_LOCK } from '../../src/store/postgres/repositories/shop-events.js';
import { usePostgresDatabase } from '../helpers/postgres.js';
import { testClock } from './engines.js';

const database = usePostgresDatabase();

// PostgreSQL only: SQLite has one writer, so its row ids always become visible in order.
describe.skipIf(!database.available)('shop event appends across instances [postgres]', () => {
  let pool: PgPool;
  beforeAll(async () => {
    pool = await openPostgres(database.url(), { poolSize: 4 });
  });
  afterAll(async () => {
    await closePostgres(pool);
  });

  it('take turns, so event ids become visible in order and lastRowId never passes an uncommitted event', async () => {
    const store = createPostgresStore(pool, testClock(), {}, async () => {});
    await store.shopCatalogue.upsert([
      { id: 'p1', title: 'Tea', category: null, price: null, attributes: {}, repeatable: false, url: null },
    ]);
    const event = (userId: string) => ({
      userId,
      itemId: 'p1',
      type: 'view' as const,
      quantity: 1,
      timestamp: 1,
      orderId: null,
      eventId: null,
    });
    // Another instance is part-way through an append: it holds the turn, its rows not yet committed.
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1::bigint)', [SHOP_EVENTS_APPEND_LOCK]);
      await other.query(
        `INSERT INTO shop_events (user_id, item_id, type, occurred_at, received_at) VALUES ('other', 'p1', 'view', 1, 1)`,
      );
      let done = false;
      const mine = store.shopEvents.append([event('mine')]).then((r) => {
        done = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      expect(await store.shopEvents.lastRowId()).toBe(0);
      await other.query('COMMIT');
      const { stored } = await mine;
      expect(stored[0]!.rowId).toBe(2);
      expect(await store.shopEvents.lastRowId()).toBe(2);
    } finally {
      other.release();
    }
  });
});
