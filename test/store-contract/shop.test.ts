import { expect, it } from 'vitest';
import { SHOP_SCAN_SLICE } from '../../src/shop/store-port.js';
import type { EventKind, Product, ShopEvent } from '../../src/shop/types.js';
import { describeEachStore } from './engines.js';

const product = (id: string, o: Partial<Product> = {}): Product => ({
  id,
  title: `Product ${id}`,
  category: 'tea',
  price: 4.5,
  attributes: { colour: 'green', organic: true, grams: 100 },
  repeatable: false,
  url: null,
  ...o,
});

const event = (userId: string, itemId: string, o: Partial<ShopEvent> = {}): ShopEvent => ({
  userId,
  itemId,
  type: 'view',
  quantity: 1,
  timestamp: Date.UTC(2026, 0, 1),
  orderId: null,
  eventId: null,
  ...o,
});

async function scanAll(
  events: {
    scan: (
      a: number,
      b: number,
      v: (...x: [string, string, EventKind, number, string | null]) => void,
    ) => unknown;
  },
  after: number,
  upTo: number,
) {
  const seen: Array<[string, string, EventKind, number, string | null]> = [];
  await events.scan(after, upTo, (...row) => seen.push(row));
  return seen;
}

describeEachStore('shop store', (t) => {
  it('upserts products by id and lists them in the order they were first stored', async () => {
    const { store } = t();
    await store.shopCatalogue.upsert([product('b'), product('a', { price: null, repeatable: true })]);
    await store.shopCatalogue.upsert([
      product('c', { url: 'https://shop.example/c', category: null }),
      product('b', { title: 'Чай улун', price: 7.25 }),
    ]);
    expect(await store.shopCatalogue.count()).toBe(3);
    expect(await store.shopCatalogue.all()).toEqual([
      product('b', { title: 'Чай улун', price: 7.25 }),
      product('a', { price: null, repeatable: true }),
      product('c', { url: 'https://shop.example/c', category: null }),
    ]);
  });

  it('keeps the last values of a product listed twice in one batch', async () => {
    const { store } = t();
    await store.shopCatalogue.upsert([
      product('x', { title: 'first' }),
      product('y'),
      product('x', { title: 'last' }),
    ]);
    expect((await store.shopCatalogue.all()).map((p) => [p.id, p.title])).toEqual([
      ['x', 'last'],
      ['y', 'Product y'],
    ]);
  });

  it('appends events in order and skips those whose eventId was already stored', async () => {
    const { store } = t();
    await store.shopCatalogue.upsert([product('p1'), product('p2')]);
    expect(await store.shopEvents.lastRowId()).toBe(0);
    const first = await store.shopEvents.append([
      event('u1', 'p1', { eventId: 'e1' }),
      event('u1', 'p2', { type: 'purchase', orderId: 'o1', quantity: 2 }),
      event('u2', 'p1', { eventId: 'e2', type: 'cart' }),
    ]);
    expect(first.duplicates).toBe(0);
    expect(first.stored.map((s) => [s.userId, s.itemId, s.type])).toEqual([
      ['u1', 'p1', 'view'],
      ['u1', 'p2', 'purchase'],
      ['u2', 'p1', 'cart'],
    ]);
    const ids = first.stored.map((s) => s.rowId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // A retried batch: e2 again, a repeat inside the batch, and two new events.
    const second = await store.shopEvents.append([
      event('u3', 'p2', { eventId: 'e3' }),
      event('u2', 'p1', { eventId: 'e2', type: 'cart' }),
      event('u3', 'p2', { eventId: 'e3' }),
      event('u4', 'p1'),
    ]);
    expect(second.duplicates).toBe(2);
    expect(second.stored.map((s) => s.userId)).toEqual(['u3', 'u4']);
    expect(second.stored[0]!.rowId).toBeGreaterThan(ids[2]!);
    expect(await store.shopEvents.count()).toBe(5);
    expect(await store.shopEvents.lastRowId()).toBe(second.stored[1]!.rowId);
  });

  it('scans events in a row-id range, oldest first', async () => {
    const { store } = t();
    await store.shopCatalogue.upsert([product('p1')]);
    const { stored } = await store.shopEvents.append(
      Array.from({ length: 5 }, (_, i) =>
        event(`u${i}`, 'p1', { timestamp: Date.UTC(2026, 0, 1 + i), orderId: i === 2 ? 'o7' : null }),
      ),
    );
    const ids = stored.map((s) => s.rowId);
    expect(await scanAll(store.shopEvents, 0, ids[4]!)).toHaveLength(5);
    expect(await scanAll(store.shopEvents, ids[1]!, ids[3]!)).toEqual([
      ['u2', 'p1', 'view', Date.UTC(2026, 0, 3), 'o7'],
      ['u3', 'p1', 'view', Date.UTC(2026, 0, 4), null],
    ]);
    expect(await scanAll(store.shopEvents, ids[4]!, ids[4]! + 10)).toEqual([]);
  });

  it('yields to the event loop during a long scan, at least every SHOP_SCAN_SLICE events', async () => {
    // A model rebuild reads every event on the main thread: requests must be served meanwhile.
    const { store } = t();
    const total = 2 * SHOP_SCAN_SLICE + 500;
    await store.shopImport.storeImport({
      products: [product('p1')],
      events: Array.from({ length: total }, (_, i) => event(`u${i % 50}`, 'p1')),
    });
    let visited = 0;
    let sinceYield = 0;
    let longest = 0;
    let ticks = 0;
    let scanning = true;
    const tick = () => {
      ticks++;
      longest = Math.max(longest, sinceYield);
      sinceYield = 0;
      if (scanning) setImmediate(tick);
    };
    setImmediate(tick);
    await store.shopEvents.scan(0, await store.shopEvents.lastRowId(), () => {
      visited++;
      sinceYield++;
    });
    scanning = false;
    longest = Math.max(longest, sinceYield);
    expect(visited).toBe(total);
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(longest).toBeLessThanOrEqual(SHOP_SCAN_SLICE);
  });

  it('imports a catalogue and events in one transaction, with the state mark', async () => {
    const { store } = t();
    await store.shopEvents.append([]);
    const products = Array.from({ length: 30 }, (_, i) => product(`sku-${i}`));
    const events = Array.from({ length: 2_500 }, (_, i) =>
      event(`user-${i % 97}`, `sku-${i % 30}`, {
        type: (['view', 'cart', 'purchase'] as const)[i % 3]!,
        eventId: i % 500 === 0 ? 'same' : `ev-${i}`,
        timestamp: Date.UTC(2026, 0, 1) + i * 1000,
      }),
    );
    const counts = await store.shopImport.storeImport(
      { products, events },
      { key: 'demo_loaded', value: '1' },
    );
    expect(counts).toEqual({ products: 30, events: 2_496, duplicates: 4 });
    expect(await store.shopCatalogue.count()).toBe(30);
    expect(await store.shopEvents.count()).toBe(2_496);
    expect(await store.shopState.get('demo_loaded')).toBe('1');
    const seen = await scanAll(store.shopEvents, 0, await store.shopEvents.lastRowId());
    expect(seen).toHaveLength(2_496);
    expect(seen[0]).toEqual(['user-0', 'sku-0', 'view', Date.UTC(2026, 0, 1), null]);
    expect(seen[1]).toEqual(['user-1', 'sku-1', 'cart', Date.UTC(2026, 0, 1) + 1000, null]);
    expect(seen.at(-1)).toEqual(['user-74', 'sku-9', 'view', Date.UTC(2026, 0, 1) + 2_499_000, null]);
    // Importing the same file again stores no event twice.
    const again = await store.shopImport.storeImport({ products, events });
    expect(again).toEqual({ products: 30, events: 0, duplicates: 2_500 });
  });

  it('stores a once-marked import (the demo shop) once when two instances load it at the same moment', async () => {
    const { store, other } = t();
    const data = {
      products: [product('p1'), product('p2')],
      // Events without an eventId: loading them twice would double them.
      events: [event('u1', 'p1', { type: 'purchase' }), event('u2', 'p2', { type: 'purchase' })],
    };
    const mark = { key: 'demo_loaded', value: '2026-12-06T09:00:00.000Z', once: true };
    const results = await Promise.all([
      store.shopImport.storeImport(data, mark),
      other.shopImport.storeImport(data, mark),
    ]);
    expect(results.map((r) => r.alreadyMarked === true).sort()).toEqual([false, true]);
    expect(results.find((r) => !r.alreadyMarked)).toMatchObject({ products: 2, events: 2 });
    expect(await store.shopEvents.count()).toBe(2);
    expect(await store.shopState.get('demo_loaded')).toBe('2026-12-06T09:00:00.000Z');
    // Later loads find the mark and store nothing; an import without `once` is not affected.
    expect(await store.shopImport.storeImport(data, mark)).toMatchObject({ alreadyMarked: true, events: 0 });
    expect(await store.shopEvents.count()).toBe(2);
  });

  it('stores nothing of an import that fails part-way', async () => {
    const { store } = t();
    await expect(
      store.shopImport.storeImport(
        { products: [product('p1')], events: [event('u1', 'p1'), event('u1', 'no-such-product')] },
        { key: 'demo_loaded', value: '1' },
      ),
    ).rejects.toThrow();
    expect(await store.shopCatalogue.count()).toBe(0);
    expect(await store.shopEvents.count()).toBe(0);
    expect(await store.shopState.get('demo_loaded')).toBeUndefined();
  });

  it('keeps small named facts across writes', async () => {
    const { store } = t();
    expect(await store.shopState.get('demo_loaded')).toBeUndefined();
    await store.shopState.set('demo_loaded', '1');
    await store.shopState.set('demo_loaded', '2');
    expect(await store.shopState.get('demo_loaded')).toBe('2');
  });
});
