import { type Csr, csrFromRows, transpose } from './csr.js';
import { TopK } from './top-k.js';

/**
 * Text → hashed char-trigram ids in [0, dims): the project's vectoriser, behind the one
 * call the shop needs, so the models do not depend on its other views.
 */
export interface TextFeatures {
  dims: number;
  ids(text: string): ArrayLike<number>;
}

/** A sparse vector: ascending feature ids and their weights. */
export interface SparseVector {
  index: Int32Array;
  values: Float32Array;
}

/** TF-IDF vectors of product titles with an inverted index, for content-based neighbours. */
export interface ContentData {
  dims: number;
  documents: number;
  /** Per feature: log((N + 1) / (df + 1)) + 1; unseen features get the largest weight. */
  idf: Float32Array;
  /** Item × feature, L2-normalised. */
  vectors: Csr;
  /** Feature × item (the transpose of `vectors`). */
  postings: Csr;
}

/** TF-IDF vector of a text: (1 + log tf) · idf, L2-normalised. */
export function vectorise(features: TextFeatures, idf: Float32Array, text: string): SparseVector {
  const counts = new Map<number, number>();
  for (const f of Array.from(features.ids(text))) counts.set(f, (counts.get(f) ?? 0) + 1);
  const index = Int32Array.from(counts.keys()).sort();
  const values = Float32Array.from(index, (f) => (1 + Math.log(counts.get(f)!)) * idf[f]!);
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < values.length; i++) values[i]! /= norm;
  return { index, values };
}

/** Indexes the titles (item number = position). */
export function buildContent(titles: readonly string[], features: TextFeatures): ContentData {
  const dims = features.dims;
  const df = new Int32Array(dims);
  const featureSets = titles.map((t) => new Set(Array.from(features.ids(t))));
  for (const set of featureSets) for (const f of set) df[f]!++;
  const n = titles.length;
  const idf = Float32Array.from(df, (d) => Math.log((n + 1) / (d + 1)) + 1);
  const vectors = csrFromRows(titles.map((t) => vectorise(features, idf, t)));
  return { dims, documents: n, idf, vectors, postings: transpose(vectors, dims) };
}

/** The row of item `i` as a sparse vector. */
export function itemVector(content: ContentData, i: number): SparseVector {
  const { offsets, index, values } = content.vectors;
  return {
    index: index.subarray(offsets[i]!, offsets[i + 1]!),
    values: values.subarray(offsets[i]!, offsets[i + 1]!),
  };
}

/**
 * The `k` indexed items most similar to `query` by cosine, through the inverted index: only
 * items sharing a feature with the query are touched.
 */
export function nearestItems(
  content: ContentData,
  query: SparseVector,
  k: number,
  exclude: (item: number) => boolean = () => false,
): { ids: Int32Array; scores: Float32Array } {
  const acc = new Map<number, number>();
  const { offsets, index, values } = content.postings;
  for (let q = 0; q < query.index.length; q++) {
    const f = query.index[q]!;
    const w = query.values[q]!;
    for (let m = offsets[f]!; m < offsets[f + 1]!; m++) {
      const item = index[m]!;
      acc.set(item, (acc.get(item) ?? 0) + w * values[m]!);
    }
  }
  const top = new TopK(k);
  for (const [item, score] of acc) if (!exclude(item)) top.push(item, score);
  return top.sorted();
}

/** Cosine of two sparse vectors (both L2-normalised). */
export function cosine(a: SparseVector, b: SparseVector): number {
  let s = 0;
  let i = 0;
  let j = 0;
  while (i < a.index.length && j < b.index.length) {
    const fa = a.index[i]!;
    const fb = b.index[j]!;
    if (fa === fb) s += a.values[i++]! * b.values[j++]!;
    else if (fa < fb) i++;
    else j++;
  }
  return s;
}
