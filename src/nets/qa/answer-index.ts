import { overlapInto, PostingLists } from './posting-lists.js';
import { keyToScore, type Scoring } from './scoring.js';
import { createSimdScan, type SimdScan } from './simd-scan.js';
import { scanDots, topK } from './top-k.js';

/** One answer as the index holds it. */
export interface IndexEntry {
  id: number;
  /** Changes whenever the answer's text changes: the index re-embeds on a new revision. */
  revision: number;
  category: string | null;
  /** The answer's language (`en`, `ru`, …), when known. */
  language?: string | null;
  /** Unit vector from the answer tower. */
  vector: Float32Array;
  /** Content terms for the overlap features. */
  terms: Int32Array;
}

/** One question to look up. */
export interface SearchQuery {
  vector: Float32Array;
  terms: Int32Array;
  k: number;
  /** `filter`: only answers of this category; `boost`: those first, then the rest. */
  category?: string;
  categoryMode?: 'filter' | 'boost';
  /**
   * The asker's language: when one of its answers scores at least `languageFloor` (a score in
   * [0, 1]; default 0), only answers in it come back, best first; otherwise answers of every
   * language, best first. Either way the list is in score order.
   */
  language?: string;
  languageFloor?: number;
}

/** One retrieved answer. */
export interface Hit {
  id: number;
  category: string | null;
  language: string | null;
  /** The served score in [0, 1]. */
  score: number;
}

/** Questions scanned together at most: the matrix is read once per group. */
export const MAX_SCAN_BATCH = 16;

const FLOAT = 4;

/**
 * The vectors of a knowledge base's answers for one net version, kept in one contiguous
 * Float32Array (`rows × stride`, the stride padded to 8 floats for the SIMD scan), with the
 * answers' content terms in posting lists. Search is exact: every row's rank key is computed
 * (dense dot product plus the overlap features through the posting lists), then the top k
 * are selected. Removing an answer moves the last row into its place, so rows stay dense.
 */
export class AnswerIndex {
  readonly stride: number;
  private capacity = 0;
  private count = 0;
  private ids = new Int32Array(0);
  private revisions = new Float64Array(0);
  private categories = new Int32Array(0);
  private languages = new Int32Array(0);
  private readonly categoryNames = new Interned();
  private readonly languageNames = new Interned();
  private readonly rowOf = new Map<number, number>();
  private readonly terms: Int32Array[] = [];
  private readonly postings = new PostingLists();
  private readonly simd: SimdScan | null;
  private jsMatrix = new Float32Array(0);
  // Byte offsets in the SIMD memory: queries first (fixed), then the matrix, then scratch scores.
  private readonly queryBytes: number;

  constructor(
    readonly dim: number,
    readonly scoring: Scoring,
    readonly termIdf: Float32Array,
    o: { simd?: boolean } = {},
  ) {
    this.stride = Math.ceil(dim / 8) * 8;
    this.simd = o.simd === false ? null : createSimdScan();
    this.queryBytes = MAX_SCAN_BATCH * this.stride * FLOAT;
    this.grow(64);
  }

  /** Answers in the index. */
  get size(): number {
    return this.count;
  }

  /** Whether the fast SIMD scan is in use. */
  get usesSimd(): boolean {
    return this.simd !== null;
  }

  /** The revision indexed for an answer, if it is in the index. */
  revisionOf(id: number): number | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.revisions[row];
  }

  /** The category indexed for an answer (undefined when it is not in the index). */
  categoryOf(id: number): string | null | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.categoryNames.name(this.categories[row]!);
  }

  /** The language indexed for an answer (undefined when it is not in the index). */
  languageOf(id: number): string | null | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.languageNames.name(this.languages[row]!);
  }

  /** Changes an indexed answer's category without touching its vector. */
  setCategory(id: number, category: string | null): void {
    const row = this.rowOf.get(id);
    if (row !== undefined) this.categories[row] = this.categoryNames.id(category);
  }

  /** Changes an indexed answer's language without touching its vector. */
  setLanguage(id: number, language: string | null): void {
    const row = this.rowOf.get(id);
    if (row !== undefined) this.languages[row] = this.languageNames.id(language);
  }

  /** Ids of every indexed answer. */
  answerIds(): number[] {
    return Array.from(this.ids.subarray(0, this.count));
  }

  /** The rows in use, `[size × stride]`: one contiguous Float32Array (a view, valid until the next change). */
  matrix(): Float32Array {
    return this.view().subarray(0, this.count * this.stride);
  }

  /** Adds answers or replaces those already indexed. */
  upsert(entries: readonly IndexEntry[]): void {
    if (this.count + entries.length > this.capacity)
      this.grow(Math.max(this.capacity * 2, this.count + entries.length));
    for (const e of entries) {
      if (e.vector.length !== this.dim)
        throw new Error(`answer ${e.id}: vector of ${e.vector.length}, expected ${this.dim}`);
      let row = this.rowOf.get(e.id);
      if (row === undefined) {
        row = this.count++;
        this.rowOf.set(e.id, row);
        this.ids[row] = e.id;
      } else this.postings.remove(this.terms[row]!, e.id);
      const m = this.view();
      const base = row * this.stride;
      m.fill(0, base, base + this.stride);
      for (let j = 0; j < this.dim; j++) m[base + j] = Number.isFinite(e.vector[j]!) ? e.vector[j]! : 0;
      this.revisions[row] = e.revision;
      this.categories[row] = this.categoryNames.id(e.category);
      this.languages[row] = this.languageNames.id(e.language ?? null);
      this.terms[row] = e.terms;
      this.postings.add(e.terms, e.id);
    }
  }

  /** Removes answers (unknown ids are ignored). */
  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      const row = this.rowOf.get(id);
      if (row === undefined) continue;
      this.postings.remove(this.terms[row]!, id);
      const last = this.count - 1;
      if (row !== last) {
        const m = this.view();
        m.copyWithin(row * this.stride, last * this.stride, (last + 1) * this.stride);
        this.ids[row] = this.ids[last]!;
        this.revisions[row] = this.revisions[last]!;
        this.categories[row] = this.categories[last]!;
        this.languages[row] = this.languages[last]!;
        this.terms[row] = this.terms[last]!;
        this.rowOf.set(this.ids[row]!, row);
      }
      this.terms.length = last;
      this.rowOf.delete(id);
      this.count = last;
    }
  }

  /** Exact top-k for each query; queries are scanned together in groups of {@link MAX_SCAN_BATCH}. */
  search(queries: readonly SearchQuery[]): Hit[][] {
    const out: Hit[][] = [];
    for (let i = 0; i < queries.length; i += MAX_SCAN_BATCH)
      out.push(...this.searchGroup(queries.slice(i, i + MAX_SCAN_BATCH)));
    return out;
  }

  private searchGroup(queries: readonly SearchQuery[]): Hit[][] {
    const n = this.count;
    const keys = this.denseScan(queries);
    const s = this.scoring;
    return queries.map((q, k) => {
      const off = k * n;
      for (let r = 0; r < n; r++) keys[off + r] = s.dense * keys[off + r]! + s.bias;
      overlapInto(this.postings, q.terms, this.termIdf, s, (id, add) => {
        keys[off + this.rowOf.get(id)!]! += add;
      });
      const wanted = Math.max(0, Math.min(q.k, n));
      const cat = q.category === undefined ? undefined : this.categoryNames.find(q.category);
      if (q.category !== undefined && cat === undefined && q.categoryMode === 'filter') return [];
      const ofCategory = (r: number) => this.categories[r] === cat;
      let within: ((r: number) => boolean) | undefined =
        q.category !== undefined && q.categoryMode === 'filter' ? ofCategory : undefined;
      const lang = q.language === undefined ? undefined : this.languageNames.find(q.language);
      if (lang !== undefined) {
        const outer = within;
        const inLanguage = (r: number) => this.languages[r] === lang && (!outer || outer(r));
        const best = topK(keys, off, n, 1, inLanguage)[0];
        // The asker's language is kept only when it holds a relevant answer.
        if (best !== undefined && keyToScore(keys[off + best]!) >= (q.languageFloor ?? 0))
          within = inLanguage;
      }
      const take = (count: number, pred?: (r: number) => boolean) =>
        topK(keys, off, n, count, pred && within ? (r) => within!(r) && pred(r) : (pred ?? within));
      let rows: number[];
      if (q.category === undefined || q.categoryMode === 'filter') rows = take(wanted);
      else {
        // An explicit boost (an API caller's choice): the category's answers first, then the rest.
        rows = cat === undefined ? [] : take(wanted, ofCategory);
        if (rows.length < wanted) rows.push(...take(wanted - rows.length, (r) => !ofCategory(r)));
      }
      return rows.map((r) => ({
        id: this.ids[r]!,
        category: this.categoryNames.name(this.categories[r]!),
        language: this.languageNames.name(this.languages[r]!),
        score: keyToScore(keys[off + r]!),
      }));
    });
  }

  /** Dot products `[queries × size]` (a view of scratch memory, valid until the next scan). */
  private denseScan(queries: readonly SearchQuery[]): Float32Array {
    const n = this.count;
    const nq = queries.length;
    if (this.simd) {
      const outBytes = this.queryBytes + this.capacity * this.stride * FLOAT;
      const need = outBytes + nq * n * FLOAT;
      const memory = this.simd.memory;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
      const qv = new Float32Array(memory.buffer, 0, nq * this.stride);
      qv.fill(0);
      for (const [k, q] of queries.entries()) qv.set(q.vector.subarray(0, this.dim), k * this.stride);
      this.simd.dots(this.queryBytes, n, this.stride, 0, nq, outBytes);
      return new Float32Array(memory.buffer, outBytes, nq * n);
    }
    const qv = new Float32Array(nq * this.stride);
    for (const [k, q] of queries.entries()) qv.set(q.vector.subarray(0, this.dim), k * this.stride);
    const out = new Float32Array(nq * n);
    scanDots(this.jsMatrix, this.stride, 0, n, qv, out, n);
    return out;
  }

  private view(): Float32Array {
    if (!this.simd) return this.jsMatrix;
    return new Float32Array(this.simd.memory.buffer, this.queryBytes, this.capacity * this.stride);
  }

  private grow(capacity: number): void {
    const floats = capacity * this.stride;
    if (this.simd) {
      const need = this.queryBytes + floats * FLOAT;
      const memory = this.simd.memory;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    } else {
      const m = new Float32Array(floats);
      m.set(this.jsMatrix.subarray(0, this.count * this.stride));
      this.jsMatrix = m;
    }
    const ids = new Int32Array(capacity);
    ids.set(this.ids.subarray(0, this.count));
    const revisions = new Float64Array(capacity);
    revisions.set(this.revisions.subarray(0, this.count));
    const categories = new Int32Array(capacity);
    categories.set(this.categories.subarray(0, this.count));
    const languages = new Int32Array(capacity);
    languages.set(this.languages.subarray(0, this.count));
    this.ids = ids;
    this.revisions = revisions;
    this.categories = categories;
    this.languages = languages;
    this.capacity = capacity;
  }
}

/** Small ids for repeated names (categories, languages); -1 stands for none. */
class Interned {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of a name, adding it when new. */
  id(name: string | null): number {
    if (name === null) return -1;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** The id of a known name, without adding it. */
  find(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** The name of an id (null for none). */
  name(id: number): string | null {
    return this.names[id] ?? null;
  }
}
