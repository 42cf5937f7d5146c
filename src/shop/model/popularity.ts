import { type Csr, csrFromRows } from './csr.js';
import { type InteractionLog, PURCHASE } from './interaction-log.js';
import { decay, type ModelParams } from './params.js';
import { TopK } from './top-k.js';

/** A ranked list of item numbers with their scores, best first. */
export interface RankedList {
  ids: Int32Array;
  scores: Float32Array;
}

/** Top sellers overall and per category, and trending items. */
export interface PopularityModel {
  topSellers: RankedList;
  /** Category names; row c of `byCategory` is the top list of `categoryNames[c]`. */
  categoryNames: string[];
  byCategory: Csr;
  trending: RankedList;
}

const DAY_MS = 86_400_000;
/** Views and carts only break ties between items that sell equally (or a shop with no sales yet). */
const INTEREST_WEIGHT = 1e-3;

function ranked(scores: Float64Array, length: number, keep: (i: number) => boolean = () => true): RankedList {
  const top = new TopK(length);
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0 && keep(i)) top.push(i, scores[i]!);
  return top.sorted();
}

/**
 * Top sellers count purchase events (not units: one wholesale order of 10,000 mugs is one
 * sale), each decayed by its age at `refTime`. Trending compares an item's weighted events
 * in the last `trendingRecentDays` with its own rate over the `trendingBaselineDays`
 * before: (recent + 1) / (baseline · recentDays / baselineDays + 1), so an item rises
 * against its own past rather than against the bestsellers.
 */
export function buildPopularity(log: InteractionLog, p: ModelParams, refTime: number): PopularityModel {
  const nItems = log.items.length;
  const sales = new Float64Array(nItems);
  const recent = new Float64Array(nItems);
  const baseline = new Float64Array(nItems);
  const q = p.popularity;
  const recentStart = refTime - q.trendingRecentDays * DAY_MS;
  const baselineStart = recentStart - q.trendingBaselineDays * DAY_MS;
  for (let e = 0; e < log.length; e++) {
    const it = log.item[e]!;
    const t = log.time[e]!;
    const kind = log.kind[e]!;
    sales[it]! += (kind === PURCHASE ? 1 : INTEREST_WEIGHT) * decay(refTime - t, q.halfLifeDays);
    const w = p.kindWeights[kind]!;
    if (t > recentStart) recent[it]! += w;
    else if (t > baselineStart) baseline[it]! += w;
  }
  const topSellers = ranked(sales, q.listLength);

  const categoryNames = [...new Set(log.categories.filter((c): c is string => c !== null))].sort();
  const byCategory = csrFromRows(
    categoryNames.map((name) => {
      const list = ranked(sales, q.listLength, (i) => log.categories[i] === name);
      return { index: list.ids, values: list.scores };
    }),
  );

  const trend = new Float64Array(nItems);
  const ratio = q.trendingRecentDays / q.trendingBaselineDays;
  for (let i = 0; i < nItems; i++) {
    if (recent[i]! < q.trendingMinRecent) continue;
    trend[i] = (recent[i]! + 1) / (baseline[i]! * ratio + 1);
  }
  const trending = ranked(trend, q.listLength, (i) => trend[i]! > 1);
  return { topSellers, categoryNames, byCategory, trending };
}
