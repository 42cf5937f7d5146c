import type { ModelData } from './model/build.js';
import type { Csr } from './model/csr.js';
import { PersonalScorer } from './model/personal-scorer.js';
import type { Product } from './types.js';

/** A row of a CSR as two views (no copy). */
export function rowOf(m: Csr, r: number): { ids: Int32Array; scores: Float32Array } {
  const start = m.offsets[r] ?? 0;
  const end = m.offsets[r + 1] ?? start;
  return { ids: m.index.subarray(start, end), scores: m.values.subarray(start, end) };
}

/**
 * One built set of models plus the lookups serving needs. Immutable once made: a rebuild
 * makes a new snapshot and swaps the reference, so a request sees one consistent model.
 */
export class ModelSnapshot {
  readonly itemIndex: Map<string, number>;
  readonly userIndex: Map<string, number>;
  readonly categoryRow: Map<string, number>;
  readonly scorer: PersonalScorer;
  /** Per item: 1 when the live catalogue marks it repeatable (kept current between builds). */
  readonly repeatable: Uint8Array;
  /** Per-request scratch: items a user must not be offered (cleared after each request). */
  readonly excluded: Uint8Array;

  constructor(
    readonly data: ModelData,
    readonly version: number,
  ) {
    this.itemIndex = new Map(data.items.map((id, i) => [id, i]));
    this.userIndex = new Map(data.users.map((id, i) => [id, i]));
    this.categoryRow = new Map(data.popularity.categoryNames.map((c, i) => [c, i]));
    this.scorer = new PersonalScorer(
      data.similar,
      data.items.length,
      data.params.personal.rowNormalisation,
      data.similarity.model === 'ease',
    );
    this.repeatable = new Uint8Array(data.items.length);
    this.excluded = new Uint8Array(data.items.length);
  }

  /** Takes the `repeatable` flags of the live catalogue (at swap, and whenever a product changes). */
  applyCatalogue(products: Iterable<Product>): void {
    for (const p of products) {
      const i = this.itemIndex.get(p.id);
      if (i !== undefined) this.repeatable[i] = p.repeatable ? 1 : 0;
    }
  }

  /**
   * Item-to-item neighbours of item `i`, best first: the positive part of its row (an EASE
   * row also keeps the items it argues against, with negative weights, for personal scoring).
   */
  similar(i: number): { ids: Int32Array; scores: Float32Array } {
    const row = rowOf(this.data.similar, i);
    let end = 0;
    while (end < row.scores.length && row.scores[end]! > 0) end++;
    return { ids: row.ids.subarray(0, end), scores: row.scores.subarray(0, end) };
  }

  /** Bought-together list of item `i` with pair counts, best first. */
  boughtTogether(i: number): { ids: Int32Array; scores: Float32Array; pairs: Float32Array } {
    const bt = this.data.boughtTogether;
    const row = rowOf(bt.lists, i);
    const start = bt.lists.offsets[i] ?? 0;
    return { ...row, pairs: bt.pairCounts.subarray(start, start + row.ids.length) };
  }

  /** A user's scoring history (most relevant items and weights). */
  profile(u: number): { ids: Int32Array; scores: Float32Array } {
    return rowOf(this.data.profiles, u);
  }

  /** What a user bought (ascending item numbers) with recency-weighted purchase weights. */
  purchased(u: number): { ids: Int32Array; scores: Float32Array } {
    return rowOf(this.data.purchased, u);
  }

  /** Counts for the status endpoint and logs. */
  summary(): Record<string, number | string> {
    return {
      version: this.version,
      builtAt: new Date(this.data.builtAt).toISOString(),
      buildMs: Math.round(this.data.buildMs),
      dataUpTo: new Date(this.data.refTime).toISOString(),
      items: this.data.items.length,
      users: this.data.users.length,
      events: this.data.events,
      baskets: this.data.boughtTogether.baskets,
      lastEventId: this.data.lastRowId,
      similarModel: this.data.similarity.model,
      denseItems: this.data.similarity.denseItems,
      boundedTailItems: this.data.similarity.tailItems,
    };
  }
}
