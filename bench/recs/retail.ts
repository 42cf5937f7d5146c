import { ContentLookup } from '../../src/shop/content-lookup.js';
import { LiveEvents } from '../../src/shop/live-events.js';
import { buildModels, type ModelData } from '../../src/shop/model/build.js';
import { InteractionLogBuilder, PURCHASE } from '../../src/shop/model/interaction-log.js';
import type { ModelParams } from '../../src/shop/model/params.js';
import { recommendForUser, type ShopView, topItems } from '../../src/shop/recommender.js';
import { ModelSnapshot } from '../../src/shop/snapshot.js';
import { trigramFeatures } from '../../src/shop/text-features.js';
import type { Product } from '../../src/shop/types.js';
import { type RetailLine, repeatableProducts } from '../../training/shop/online-retail.js';
import { hitAt, Mean, precisionAt } from './metrics.js';

const DAY_MS = 86_400_000;

/** A time split: lines before `cut` train, lines from `cut` to `end` test. */
export function splitByTime(lines: readonly RetailLine[], cut: number, end = Infinity) {
  return {
    train: lines.filter((l) => l.time < cut),
    test: lines.filter((l) => l.time >= cut && l.time < end),
  };
}

/** The start of the last `days` days of the data. */
export function lastDays(lines: readonly RetailLine[], days: number): number {
  let end = 0;
  for (const l of lines) end = Math.max(end, l.time);
  return end - days * DAY_MS;
}

/** Builds every model from retail lines as the gateway would (guests are one-basket users). */
export function buildRetail(
  lines: readonly RetailLine[],
  params: ModelParams,
  repeatable: ReadonlySet<string>,
) {
  const builder = new InteractionLogBuilder();
  const titles: string[] = [];
  const products = new Map<string, Product>();
  for (const l of lines) {
    if (products.has(l.stockCode)) continue;
    builder.addItem(l.stockCode, null);
    titles.push(l.description);
    products.set(l.stockCode, {
      id: l.stockCode,
      title: l.description,
      category: null,
      price: l.unitPrice,
      attributes: {},
      repeatable: repeatable.has(l.stockCode),
      url: null,
    });
  }
  for (const l of lines)
    builder.add(l.customerId ?? `guest:${l.invoice}`, l.stockCode, PURCHASE, l.time, l.invoice);
  const features = trigramFeatures();
  const started = performance.now();
  const data = buildModels({ log: builder.build(), titles, features, params, lastRowId: 0, now: Date.now() });
  const buildSeconds = (performance.now() - started) / 1000;
  return { data, products, features, buildSeconds };
}

/** A serving view over built retail models (no live events). */
export function retailView(data: ModelData, products: Map<string, Product>): ShopView {
  const snapshot = new ModelSnapshot(data, 1);
  snapshot.applyCatalogue(products.values());
  return {
    snapshot,
    products,
    categories: new Set(),
    live: new LiveEvents(),
    content: new ContentLookup(snapshot, trigramFeatures()),
  };
}

/** Hit rates of one retail run. */
export interface RetailResult {
  boughtTogetherHitRate: number;
  boughtTogetherPrecision: number;
  boughtTogetherCoverage: number;
  basketTopSellersHitRate: number;
  basketTopSellersPrecision: number;
  basketQueries: number;
  personalHitRate: number;
  /** The same without "buy again": item-to-item through the history only. */
  personalNoRepeatHitRate: number;
  personalTopSellersHitRate: number;
  personalUsers: number;
  buildSeconds: number;
}

/**
 * Trains on `train`, then on the test lines:
 * - baskets: for every test invoice with ≥ 2 products, each product in turn is the anchor;
 *   a hit is any other product of the basket in the anchor's top k bought-together (or, for
 *   the baseline, in the top k sellers other than the anchor);
 * - customers: for every customer with training history who bought in the test period, a hit
 *   is any test purchase in their top k personal recommendations (or in the top k sellers,
 *   with the same rule that once-only goods they own are not shown).
 */
export function evaluateRetail(
  train: readonly RetailLine[],
  test: readonly RetailLine[],
  params: ModelParams,
  k = 10,
): RetailResult {
  const repeatable = repeatableProducts(train);
  const { data, products, buildSeconds } = buildRetail(train, params, repeatable);
  const view = retailView(data, products);
  const s = view.snapshot;

  const baskets = new Map<string, Set<string>>();
  for (const l of test) {
    const set = baskets.get(l.invoice) ?? new Set<string>();
    baskets.set(l.invoice, set);
    set.add(l.stockCode);
  }
  const bt = new Mean();
  const btCovered = new Mean();
  const btTop = new Mean();
  const btPrecision = new Mean();
  const btTopPrecision = new Mean();
  const top = topItems(view, { k: k + 1 })!.items.map((i) => i.id);
  for (const items of baskets.values()) {
    if (items.size < 2) continue;
    for (const anchor of items) {
      const i = s.itemIndex.get(anchor);
      if (i === undefined) continue;
      const rest = new Set([...items].filter((x) => x !== anchor));
      const row = s.boughtTogether(i);
      const list = Array.from(row.ids.subarray(0, k), (j) => s.data.items[j]!);
      const sellers = top.filter((x) => x !== anchor).slice(0, k);
      bt.add(hitAt(list, rest, k));
      btPrecision.add(precisionAt(list, rest, k));
      btCovered.add(list.length > 0 ? 1 : 0);
      btTop.add(hitAt(sellers, rest, k));
      btTopPrecision.add(precisionAt(sellers, rest, k));
    }
  }

  const bought = new Map<string, Set<string>>();
  for (const l of test) {
    if (l.customerId === null || !s.userIndex.has(l.customerId)) continue;
    const set = bought.get(l.customerId) ?? new Set<string>();
    bought.set(l.customerId, set);
    set.add(l.stockCode);
  }
  const personal = new Mean();
  const personalNoRepeat = new Mean();
  const noRepeat = retailView(
    { ...data, params: { ...data.params, personal: { ...data.params.personal, repeatWeight: 0 } } },
    products,
  );
  const personalTop = new Mean();
  const sellers = topItems(view, { k: 400 })!.items.map((i) => i.id);
  for (const [user, truth] of bought) {
    const recs = recommendForUser(view, user, k).items.map((i) => i.id);
    personal.add(hitAt(recs, truth, k));
    personalNoRepeat.add(
      hitAt(
        recommendForUser(noRepeat, user, k).items.map((i) => i.id),
        truth,
        k,
      ),
    );
    const owned = s.purchased(s.userIndex.get(user)!);
    const ownedOnce = new Set(
      Array.from(owned.ids, (j) => s.data.items[j]!).filter((id) => !products.get(id)?.repeatable),
    );
    personalTop.add(hitAt(sellers.filter((id) => !ownedOnce.has(id)).slice(0, k), truth, k));
  }
  return {
    boughtTogetherHitRate: bt.value,
    boughtTogetherPrecision: btPrecision.value,
    boughtTogetherCoverage: btCovered.value,
    basketTopSellersHitRate: btTop.value,
    basketTopSellersPrecision: btTopPrecision.value,
    basketQueries: bt.count,
    personalHitRate: personal.value,
    personalNoRepeatHitRate: personalNoRepeat.value,
    personalTopSellersHitRate: personalTop.value,
    personalUsers: personal.count,
    buildSeconds,
  };
}
