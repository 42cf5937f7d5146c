/**
 * `npm run bench:shop-import`: how fast a shop import (catalogue + events, one transaction)
 * is stored on PostgreSQL and on SQLite, same seeded data. PostgreSQL runs on a throwaway
 * database created on the server named by NEURODESK_BENCH_DATABASE_URL (or
 * NEURODESK_TEST_DATABASE_URL), dropped afterwards. Flags: --events N (default 500000),
 * --products N (default 4000).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Product, ShopEvent } from '../src/shop/types.js';
import { openDatabase } from '../src/store/database.js';
import { closePostgres, createPostgresStore, openPostgres } from '../src/store/postgres/index.js';
import { createStore } from '../src/store/sqlite.js';
import { machine, writeBenchResults } from './write-results.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '500000' }, products: { type: 'string', default: '4000' } },
});
const eventCount = Number(values.events);
const productCount = Number(values.products);
const server = process.env.NEURODESK_BENCH_DATABASE_URL ?? process.env.NEURODESK_TEST_DATABASE_URL;
if (!server) {
  console.error(
    'set NEURODESK_BENCH_DATABASE_URL (or NEURODESK_TEST_DATABASE_URL) to a PostgreSQL server URL',
  );
  process.exit(2);
}

/** A seeded generator (mulberry32): the same data on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(16);
const products: Product[] = Array.from({ length: productCount }, (_, i) => ({
  id: `sku-${i}`,
  title: `Товар ${i} / product ${i}`,
  category: `cat-${i % 40}`,
  price: Math.round(rand() * 10_000) / 100,
  attributes: { colour: ['red', 'green', 'blue'][i % 3]!, grams: 100 + (i % 9) * 50 },
  repeatable: i % 5 === 0,
  url: null,
}));
const kinds = ['view', 'view', 'view', 'cart', 'purchase'] as const;
const start = Date.UTC(2026, 0, 1);
const events: ShopEvent[] = Array.from({ length: eventCount }, (_, i) => {
  const type = kinds[Math.floor(rand() * kinds.length)]!;
  return {
    userId: `user-${Math.floor(rand() * 20_000)}`,
    itemId: `sku-${Math.floor(rand() ** 2 * productCount)}`,
    type,
    quantity: type === 'purchase' ? 1 + Math.floor(rand() * 3) : 1,
    timestamp: start + i * 1000,
    orderId: type === 'purchase' ? `order-${Math.floor(i / 3)}` : null,
    eventId: `ev-${i}`,
  };
});
const clock = { now: () => Date.now() };
const rows = products.length + events.length;

async function postgres(): Promise<{ seconds: number; stored: number }> {
  const name = `nd_bench_import_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server!);
  url.pathname = `/${name}`;
  const pool = await openPostgres(url.toString(), { poolSize: 2, statementTimeoutMs: 0 });
  try {
    const store = createPostgresStore(pool, clock);
    const t0 = performance.now();
    const counts = await store.shopImport.storeImport({ products, events });
    const seconds = (performance.now() - t0) / 1000;
    if ((await store.shopEvents.count()) !== counts.events) throw new Error('PostgreSQL count differs');
    return { seconds, stored: counts.events };
  } finally {
    await closePostgres(pool);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function sqlite(): Promise<{ seconds: number; stored: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nd-bench-import-'));
  const db = openDatabase(join(dir, 'store.db'));
  try {
    const store = createStore(db, clock);
    const t0 = performance.now();
    const counts = await store.shopImport.storeImport({ products, events });
    const seconds = (performance.now() - t0) / 1000;
    await store.close();
    return { seconds, stored: counts.events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = machine().loadAverage1m;
const pgRun = await postgres();
const sqliteRun = await sqlite();
const figures = {
  products: products.length,
  events: events.length,
  postgresSeconds: Number(pgRun.seconds.toFixed(2)),
  postgresRowsPerSecond: Math.round(rows / pgRun.seconds),
  sqliteSeconds: Number(sqliteRun.seconds.toFixed(2)),
  sqliteRowsPerSecond: Math.round(rows / sqliteRun.seconds),
  loadAverageAtStart: load,
};
console.log(
  `shop import of ${products.length} products + ${events.length} events (one transaction):\n` +
    `  PostgreSQL ${figures.postgresSeconds} s = ${figures.postgresRowsPerSecond} rows/s\n` +
    `  SQLite     ${figures.sqliteSeconds} s = ${figures.sqliteRowsPerSecond} rows/s\n` +
    `  load average at start ${load.toFixed(2)}`,
);
console.log(
  `wrote ${writeBenchResults('shop-import', `npm run bench:shop-import -- --events ${eventCount} --products ${productCount}`, figures)}`,
);
