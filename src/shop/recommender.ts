import type { ContentLookup } from './content-lookup.js';
import type { LiveEvents } from './live-events.js';
import { KIND_CODE } from './model/interaction-log.js';
import { decay } from './model/params.js';
import type { ModelSnapshot } from './snapshot.js';
import type { ModelName, Product, RecommendationList, RecommendedItem } from './types.js';

/** Everything a request reads: one model snapshot, the live catalogue and the events since the build. */
export interface ShopView {
  snapshot: ModelSnapshot;
  products: ReadonlyMap<string, Product>;
  categories: ReadonlySet<string>;
  live: LiveEvents;
  content: ContentLookup;
}

/** Which list `top` returns. */
export type TopKind = 'sellers' | 'trending';

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** A recommended product as the API shows it. */
export function toItem(p: Product, score: number, model: ModelName): RecommendedItem {
  return {
    id: p.id,
    title: p.title,
    category: p.category,
    price: p.price,
    url: p.url,
    score: round(score),
    model,
  };
}

/** Collects up to `k` distinct products in order, each tagged with the model that produced it. */
class ListBuilder {
  readonly items: RecommendedItem[] = [];
  private readonly taken = new Set<string>();
  constructor(
    private readonly view: ShopView,
    readonly k: number,
    private readonly excluded: (id: string) => boolean = () => false,
  ) {}
  get full(): boolean {
    return this.items.length >= this.k;
  }
  has(id: string): boolean {
    return this.taken.has(id);
  }
  /** Adds a product unless it is unknown, excluded, already listed or the list is full. */
  add(id: string, score: number, model: ModelName, extra: Partial<RecommendedItem> = {}): boolean {
    if (this.full || this.taken.has(id) || this.excluded(id)) return false;
    const p = this.view.products.get(id);
    if (!p) return false;
    this.taken.add(id);
    this.items.push({ ...toItem(p, score, model), ...extra });
    return true;
  }
}

/** Top sellers (or trending), overall or in one category; null for a category no product has. */
export function topItems(
  view: ShopView,
  options: { k: number; category?: string; by?: TopKind },
  excluded?: (id: string) => boolean,
): RecommendationList | null {
  const { snapshot: s } = view;
  if (options.category !== undefined && !view.categories.has(options.category)) return null;
  const by = options.by ?? 'sellers';
  const out = new ListBuilder(view, options.k, excluded);
  const pop = s.data.popularity;
  let list = by === 'trending' ? pop.trending : pop.topSellers;
  if (by === 'sellers' && options.category !== undefined) {
    const row = s.categoryRow.get(options.category);
    const start = row === undefined ? 0 : pop.byCategory.offsets[row]!;
    const end = row === undefined ? 0 : pop.byCategory.offsets[row + 1]!;
    list = {
      ids: pop.byCategory.index.subarray(start, end),
      scores: pop.byCategory.values.subarray(start, end),
    };
  }
  const model: ModelName = by === 'trending' ? 'trending' : 'top-sellers';
  for (let r = 0; r < list.ids.length && !out.full; r++) {
    const id = s.data.items[list.ids[r]!]!;
    // The category is checked against the live catalogue: a product may have moved since the build.
    if (options.category !== undefined && view.products.get(id)?.category !== options.category) continue;
    out.add(id, list.scores[r]!, model);
  }
  return { model, items: out.items };
}

/** Content neighbours below this cosine share a stray trigram or two, not a subject. */
export const MIN_CONTENT_SCORE = 0.1;

/** Fills `out` with content neighbours of `product`; returns how many were added. */
function addContent(view: ShopView, out: ListBuilder, product: Product, weight = 1): number {
  const before = out.items.length;
  const matches = view.content.nearest(
    view.content.productVector(product),
    out.k,
    (id) => id === product.id || out.has(id),
  );
  for (const m of matches) if (m.score >= MIN_CONTENT_SCORE) out.add(m.id, m.score * weight, 'content');
  return out.items.length - before;
}

/** Item-to-item neighbours of a product, padded with content neighbours; null for an unknown product. */
export function similarItems(view: ShopView, itemId: string, k: number): RecommendationList | null {
  const product = view.products.get(itemId);
  if (!product) return null;
  const s = view.snapshot;
  const out = new ListBuilder(view, k, (id) => id === itemId);
  const i = s.itemIndex.get(itemId);
  if (i !== undefined) {
    const row = s.similar(i);
    for (let r = 0; r < row.ids.length && !out.full; r++)
      out.add(s.data.items[row.ids[r]!]!, row.scores[r]!, 'item-to-item');
  }
  const fromHistory = out.items.length;
  if (!out.full) addContent(view, out, product);
  if (fromHistory === 0) return { model: 'content', reason: 'cold_start', items: out.items };
  return { model: 'item-to-item', items: out.items };
}

/** Products bought in the same baskets as this one, with support, confidence and lift. */
export function boughtTogether(view: ShopView, itemId: string, k: number): RecommendationList | null {
  if (!view.products.has(itemId)) return null;
  const s = view.snapshot;
  const out = new ListBuilder(view, k, (id) => id === itemId);
  const i = s.itemIndex.get(itemId);
  if (i !== undefined) {
    const bt = s.data.boughtTogether;
    const row = s.boughtTogether(i);
    const ni = bt.itemBaskets[i]!;
    for (let r = 0; r < row.ids.length && !out.full; r++) {
      const j = row.ids[r]!;
      const both = row.pairs[r]!;
      out.add(s.data.items[j]!, row.scores[r]!, 'bought-together', {
        support: both,
        confidence: round(both / ni),
        lift: round((both * bt.baskets) / (ni * bt.itemBaskets[j]!)),
      });
    }
  }
  if (out.items.length === 0) return { model: 'bought-together', reason: 'not_enough_baskets', items: [] };
  return { model: 'bought-together', items: out.items };
}

/**
 * Personal recommendations: the user's recent history (model + events since the build)
 * through the item-to-item lists. Once-only goods the user bought are never suggested;
 * repeatable goods they bought may come back ("buy again"). History items too new for the
 * model contribute content neighbours; an unknown user gets top sellers, with that reason.
 */
export function recommendForUser(view: ShopView, userId: string, k: number): RecommendationList {
  const s = view.snapshot;
  const p = s.data.params;
  const u = s.userIndex.get(userId);
  const live = view.live.forUser(userId);
  if (u === undefined && live.length === 0) {
    return { ...topItems(view, { k })!, reason: 'unknown_user' };
  }
  const history = new Map<number, number>();
  const fresh: string[] = [];
  const freshBought = new Set<string>();
  let last = u === undefined ? -Infinity : s.data.userLast[u]!;
  for (const e of live) last = Math.max(last, e.timestamp);
  const halfLife = p.personal.historyHalfLifeDays;
  // Owned once-only goods are marked in the snapshot's scratch array (item numbers, not
  // strings: a wholesale customer owns thousands) and unmarked before returning.
  const marked: number[] = [];
  const again: number[] = [];
  const againWeights: number[] = [];
  const owns = (i: number, w: number) => {
    if (s.repeatable[i]) {
      again.push(i);
      againWeights.push(w);
    } else if (!s.excluded[i]) {
      s.excluded[i] = 1;
      marked.push(i);
    }
  };
  try {
    if (u !== undefined) {
      const shift = decay(last - s.data.userLast[u]!, halfLife);
      const profile = s.profile(u);
      for (let r = 0; r < profile.ids.length; r++) history.set(profile.ids[r]!, profile.scores[r]! * shift);
      const purchased = s.purchased(u);
      for (let r = 0; r < purchased.ids.length; r++) owns(purchased.ids[r]!, purchased.scores[r]! * shift);
    }
    for (const e of live) {
      const w = p.kindWeights[KIND_CODE[e.type]]! * decay(last - e.timestamp, halfLife);
      const i = s.itemIndex.get(e.itemId);
      if (i !== undefined) history.set(i, (history.get(i) ?? 0) + w);
      else if (!fresh.includes(e.itemId)) fresh.unshift(e.itemId);
      if (e.type !== 'purchase') continue;
      if (i !== undefined) owns(i, w);
      else if (!view.products.get(e.itemId)?.repeatable) freshBought.add(e.itemId);
    }
    const ownedOnce = (id: string) => {
      const i = s.itemIndex.get(id);
      return i === undefined ? freshBought.has(id) : s.excluded[i] === 1;
    };
    const out = new ListBuilder(view, k, ownedOnce);
    const ranked = [...history].sort((a, b) => b[1] - a[1]).slice(0, p.personal.historyLength);
    const scored = s.scorer.score({ items: ranked.map(([i]) => i), weights: ranked.map(([, w]) => w) }, k, {
      exclude: (j) => s.excluded[j] === 1,
      buyAgain: { items: again, weights: againWeights },
      repeatWeight: p.personal.repeatWeight,
    });
    // A score at or below zero is the model arguing against the item: top sellers do better.
    for (let r = 0; r < scored.ids.length && scored.scores[r]! > 0; r++)
      out.add(s.data.items[scored.ids[r]!]!, scored.scores[r]!, 'personal');
    let reason: string | undefined;
    if (!out.full && fresh.length > 0) {
      // Items newer than the model: their content neighbours stand in for co-occurrence.
      for (const id of fresh.slice(0, 3))
        if (addContent(view, out, view.products.get(id)!, 0.5) > 0) reason = 'cold_start';
    }
    const personal = out.items.length;
    if (!out.full) {
      for (const item of topItems(view, { k: k + marked.length + freshBought.size }, ownedOnce)!.items)
        out.add(item.id, item.score, item.model);
      if (out.items.length > personal) reason ??= 'padded_with_top_sellers';
    }
    const model: ModelName = out.items[0]?.model ?? 'personal';
    return reason ? { model, reason, items: out.items } : { model, items: out.items };
  } finally {
    for (const i of marked) s.excluded[i] = 0;
  }
}
