import type { Scoring } from './scoring.js';

/**
 * Content term → the answers holding it. The overlap features of a question against every
 * answer are sums over the question's few terms, so they are added through these lists
 * instead of comparing the question with each answer.
 */
export class PostingLists {
  private readonly lists = new Map<number, Set<number>>();

  /** Records that answer `id` holds `terms`. */
  add(terms: Int32Array, id: number): void {
    for (const t of terms) {
      let list = this.lists.get(t);
      if (!list) {
        list = new Set();
        this.lists.set(t, list);
      }
      list.add(id);
    }
  }

  /** Forgets answer `id` under `terms`. */
  remove(terms: Int32Array, id: number): void {
    for (const t of terms) {
      const list = this.lists.get(t);
      if (!list) continue;
      list.delete(id);
      if (list.size === 0) this.lists.delete(t);
    }
  }

  /** The answers holding a term. */
  get(term: number): ReadonlySet<number> | undefined {
    return this.lists.get(term);
  }
}

/**
 * Calls `add(id, value)` with each answer's overlap contribution to the rank key:
 * `count + weighted × idf` summed over the question's terms it holds.
 */
export function overlapInto(
  postings: PostingLists,
  terms: Int32Array,
  idf: Float32Array,
  s: Scoring,
  add: (id: number, value: number) => void,
): void {
  if (s.count === 0 && s.weighted === 0) return;
  for (const t of terms) {
    const list = postings.get(t);
    if (!list) continue;
    const value = s.count + s.weighted * (idf[t] ?? 0);
    for (const id of list) add(id, value);
  }
}
