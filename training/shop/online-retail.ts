import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseCsvRecord } from '../../src/shop/import/csv.js';

/** One purchase line of the UCI Online Retail file (cancellations and non-products removed). */
export interface RetailLine {
  invoice: string;
  stockCode: string;
  description: string;
  quantity: number;
  /** Milliseconds since the epoch; the file's wall-clock times are read as UTC. */
  time: number;
  unitPrice: number;
  customerId: string | null;
}

/** Real products have 5-digit stock codes (plus a letter for variants); POST, M, DOT, C2, ... are fees. */
export function isProductCode(code: string): boolean {
  return /^\d{5}[A-Za-z]*$/.test(code);
}

/**
 * Reads `online_retail.csv.gz` and keeps purchase lines of products: invoices starting with
 * C (cancellations), quantities ≤ 0, prices ≤ 0 and non-product codes are dropped.
 */
export function readOnlineRetail(path: string): RetailLine[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const out: RetailLine[] = [];
  let first = true;
  for (const line of text.split('\n')) {
    if (first || line === '') {
      first = false;
      continue;
    }
    const f = parseCsvRecord(line);
    if (f?.length !== 8) throw new Error(`unexpected line in ${path}: ${line.slice(0, 80)}`);
    const [invoice, code, description, quantity, date, price, customer] = f as [string, ...string[]];
    const q = Number(quantity);
    const unitPrice = Number(price);
    if (invoice.startsWith('C') || !(q > 0) || !(unitPrice > 0) || !isProductCode(code!)) continue;
    const [d, t] = date!.split(' ');
    out.push({
      invoice,
      stockCode: code!.toUpperCase(),
      description: description!.trim(),
      quantity: q,
      time: Date.parse(`${d}T${t}:00Z`),
      unitPrice,
      customerId: customer ? customer : null,
    });
  }
  return out;
}

const DAY_MS = 86_400_000;

/**
 * The `repeatable` rule for this catalogue: a product is bought again and again when at
 * least `minCustomers` customers bought it and at least `share` of them bought it on two
 * or more different days. Measured on the lines given (the training period in benchmarks).
 */
export function repeatableProducts(lines: readonly RetailLine[], share = 0.2, minCustomers = 5): Set<string> {
  const days = new Map<string, Map<string, Set<number>>>();
  for (const l of lines) {
    if (l.customerId === null) continue;
    let byCustomer = days.get(l.stockCode);
    if (!byCustomer) {
      byCustomer = new Map();
      days.set(l.stockCode, byCustomer);
    }
    let set = byCustomer.get(l.customerId);
    if (!set) {
      set = new Set();
      byCustomer.set(l.customerId, set);
    }
    set.add(Math.floor(l.time / DAY_MS));
  }
  const out = new Set<string>();
  for (const [code, byCustomer] of days) {
    if (byCustomer.size < minCustomers) continue;
    let again = 0;
    for (const set of byCustomer.values()) if (set.size >= 2) again++;
    if (again / byCustomer.size >= share) out.add(code);
  }
  return out;
}
