/**
 * Builds the demo shop (training/data/online-retail/) from the UCI Online Retail file
 * (CC0): the most widely bought products, a seeded sample of customers and all of their
 * purchases of those products, in the import command's CSV format.
 *
 *   npx tsx training/shop/make-demo-shop.ts [--source PATH] [--out DIR] [--products N] [--customers N] [--seed N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { seededRandom, shuffle } from '../../bench/recs/random.js';
import { categoryOf, titleCase } from './categories.js';
import { readOnlineRetail, repeatableProducts } from './online-retail.js';

const { values: args } = parseArgs({
  options: {
    source: { type: 'string', default: '../shared/data/online-retail/online_retail.csv.gz' },
    out: { type: 'string', default: 'training/data/online-retail' },
    products: { type: 'string', default: '1500' },
    customers: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '7' },
  },
});

const csvField = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLine = (fields: (string | number)[]) => `${fields.map(csvField).join(',')}\n`;

const lines = readOnlineRetail(args.source!);
const withCustomer = lines.filter((l) => l.customerId !== null);

// Products: those bought by the most distinct customers.
const buyers = new Map<string, Set<string>>();
for (const l of withCustomer) {
  const set = buyers.get(l.stockCode) ?? new Set<string>();
  buyers.set(l.stockCode, set);
  set.add(l.customerId!);
}
const products = [...buyers]
  .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
  .slice(0, Number(args.products))
  .map(([code]) => code);
const chosen = new Set(products);

// Customers: a seeded sample of those who bought any chosen product.
const candidates = [
  ...new Set(withCustomer.filter((l) => chosen.has(l.stockCode)).map((l) => l.customerId!)),
].sort();
const customers = new Set(
  shuffle(candidates, seededRandom(Number(args.seed))).slice(0, Number(args.customers)),
);

// Title and price per product: the most common description, the median unit price.
const descriptions = new Map<string, Map<string, number>>();
const prices = new Map<string, number[]>();
for (const l of lines) {
  if (!chosen.has(l.stockCode)) continue;
  const d = descriptions.get(l.stockCode) ?? new Map<string, number>();
  descriptions.set(l.stockCode, d);
  if (l.description) d.set(l.description, (d.get(l.description) ?? 0) + 1);
  const p = prices.get(l.stockCode) ?? [];
  prices.set(l.stockCode, p);
  p.push(l.unitPrice);
}
// Repeatable is judged on every customer of the full file (more evidence than the sample).
const repeatable = repeatableProducts(lines);

let productCsv = csvLine(['id', 'title', 'category', 'price', 'repeatable']);
for (const code of products) {
  const title = [...descriptions.get(code)!].sort((a, b) => b[1] - a[1])[0]![0];
  const p = prices.get(code)!.sort((a, b) => a - b);
  const median = p[Math.floor(p.length / 2)]!;
  productCsv += csvLine([
    code,
    titleCase(title),
    categoryOf(title),
    median,
    repeatable.has(code) ? 'true' : 'false',
  ]);
}

let eventCsv = csvLine(['userId', 'itemId', 'type', 'quantity', 'timestamp', 'orderId']);
let events = 0;
for (const l of withCustomer) {
  if (!chosen.has(l.stockCode) || !customers.has(l.customerId!)) continue;
  const ts = new Date(l.time).toISOString().replace(':00.000Z', 'Z');
  eventCsv += csvLine([l.customerId!, l.stockCode, 'purchase', l.quantity, ts, l.invoice]);
  events++;
}

mkdirSync(args.out!, { recursive: true });
writeFileSync(join(args.out!, 'products.csv'), productCsv);
const gz = gzipSync(eventCsv, { level: 9 });
writeFileSync(join(args.out!, 'events.csv.gz'), gz);
process.stdout.write(
  `${products.length} products (${products.filter((c) => repeatable.has(c)).length} repeatable), ` +
    `${customers.size} customers, ${events} purchase lines; events.csv.gz ${gz.length} bytes\n`,
);
