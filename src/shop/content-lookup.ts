import {
  cosine,
  itemVector,
  nearestItems,
  type SparseVector,
  type TextFeatures,
  vectorise,
} from './model/content-index.js';
import type { ModelSnapshot } from './snapshot.js';
import type { Product } from './types.js';

/** A content match: a product id and the cosine of its title with the query. */
export interface ContentMatch {
  id: string;
  score: number;
}

/**
 * Content-based neighbours over product titles. The snapshot holds the index of every
 * product known at build time; products added since are vectorised on arrival (with the
 * snapshot's IDF) and scanned directly, so a brand-new item has neighbours at once.
 */
export class ContentLookup {
  private readonly fresh = new Map<string, SparseVector>();

  constructor(
    private readonly snapshot: ModelSnapshot,
    private readonly features: TextFeatures,
  ) {}

  /** Notes a product added or renamed after the snapshot was built. */
  addProduct(p: Product): void {
    if (!this.snapshot.itemIndex.has(p.id)) this.fresh.set(p.id, this.vectorOf(p.title));
  }

  /** TF-IDF vector of a text under the snapshot's IDF. */
  vectorOf(text: string): SparseVector {
    return vectorise(this.features, this.snapshot.data.content.idf, text);
  }

  /** The stored vector of a product, or its title's vector when it is new. */
  productVector(p: Product): SparseVector {
    const i = this.snapshot.itemIndex.get(p.id);
    if (i !== undefined) return itemVector(this.snapshot.data.content, i);
    return this.fresh.get(p.id) ?? this.vectorOf(p.title);
  }

  /** The `k` products whose titles are closest to `query`, best first, skipping `exclude`. */
  nearest(query: SparseVector, k: number, exclude: (id: string) => boolean): ContentMatch[] {
    const items = this.snapshot.data.items;
    const indexed = nearestItems(this.snapshot.data.content, query, k, (i) => exclude(items[i]!));
    const out: ContentMatch[] = Array.from(indexed.ids, (i, r) => ({
      id: items[i]!,
      score: indexed.scores[r]!,
    }));
    for (const [id, vector] of this.fresh) {
      if (exclude(id)) continue;
      const score = cosine(query, vector);
      if (score > 0) out.push({ id, score });
    }
    return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, k);
  }
}
