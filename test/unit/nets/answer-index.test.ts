import { describe, expect, it } from 'vitest';
import { AnswerIndex, type IndexEntry } from '../../../src/nets/qa/answer-index.js';
import { keyToScore, type Scoring } from '../../../src/nets/qa/scoring.js';
import { createSimdScan } from '../../../src/nets/qa/simd-scan.js';
import { sumAll } from '../../../src/nets/qa/top-k.js';
import { type Random, seededRandom } from '../../../src/nets/random.js';

const SCORING: Scoring = { dense: 6, count: 0.5, weighted: 0.1, bias: -3 };

function unit(rng: Random, dim: number): Float32Array {
  const v = Float32Array.from({ length: dim }, () => rng.next() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function entries(rng: Random, n: number, dim: number, from = 1): IndexEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    id: from + i,
    revision: 1,
    category: `c${i % 5}`,
    vector: unit(rng, dim),
    terms: Int32Array.from(new Set([1 + (i % 7), 10 + (i % 3)])).sort(),
  }));
}

/** The same ranking done the slow, obvious way. */
function bruteForce(all: IndexEntry[], q: Float32Array, terms: Int32Array, idf: Float32Array, k: number) {
  return all
    .map((e) => {
      let dot = 0;
      for (let j = 0; j < q.length; j++) dot += q[j]! * e.vector[j]!;
      let key = SCORING.dense * dot + SCORING.bias;
      for (const t of terms) if (e.terms.includes(t)) key += SCORING.count + SCORING.weighted * idf[t]!;
      return { id: e.id, key };
    })
    .sort((a, b) => b.key - a.key || a.id - b.id)
    .slice(0, k);
}

for (const simd of [true, false]) {
  describe(`answer index (${simd ? 'SIMD' : 'JavaScript'} scan)`, () => {
    const idf = Float32Array.from({ length: 64 }, (_, i) => 1 + i / 10);

    it('finds the same top answers as a brute-force ranking, for several questions at once', () => {
      const rng = seededRandom(1);
      const dim = 20; // not a multiple of 8: rows are padded
      const all = entries(rng, 300, dim);
      const index = new AnswerIndex(dim, SCORING, idf, { simd });
      index.upsert(all);
      const queries = Array.from({ length: 20 }, () => ({
        vector: unit(rng, dim),
        terms: Int32Array.of(2, 11),
        k: 7,
      }));
      const got = index.search(queries);
      queries.forEach((q, i) => {
        const want = bruteForce(all, q.vector, q.terms, idf, 7);
        expect(got[i]!.map((h) => h.id)).toEqual(want.map((w) => w.id));
        for (const [j, h] of got[i]!.entries()) expect(h.score).toBeCloseTo(keyToScore(want[j]!.key), 5);
      });
    });

    it('keeps rows contiguous and results right through updates and removals', () => {
      const rng = seededRandom(2);
      const dim = 16;
      const all = entries(rng, 50, dim);
      const index = new AnswerIndex(dim, SCORING, idf, { simd });
      index.upsert(all);
      index.remove([1, 25, 50, 999]);
      const changed = { ...all[10]!, revision: 2, vector: unit(rng, dim), terms: Int32Array.of(40) };
      index.upsert([changed]);
      const live = all
        .filter((e) => ![1, 25, 50].includes(e.id))
        .map((e) => (e.id === changed.id ? changed : e));
      expect(index.size).toBe(47);
      expect(index.matrix().length).toBe(47 * index.stride);
      expect(index.revisionOf(changed.id)).toBe(2);
      expect(index.revisionOf(25)).toBeUndefined();
      const q = { vector: unit(rng, dim), terms: Int32Array.of(40, 3), k: 47 };
      expect(index.search([q])[0]!.map((h) => h.id)).toEqual(
        bruteForce(live, q.vector, q.terms, idf, 47).map((w) => w.id),
      );
    });

    it('answers an empty index and a k larger than the index without failing', () => {
      const rng = seededRandom(3);
      const index = new AnswerIndex(8, SCORING, idf, { simd });
      expect(index.search([{ vector: unit(rng, 8), terms: new Int32Array(0), k: 5 }])).toEqual([[]]);
      index.upsert(entries(rng, 3, 8));
      expect(index.search([{ vector: unit(rng, 8), terms: new Int32Array(0), k: 100 }])[0]).toHaveLength(3);
    });

    it('filters by category, or puts the category first', () => {
      const rng = seededRandom(4);
      const index = new AnswerIndex(8, SCORING, idf, { simd });
      index.upsert(entries(rng, 40, 8));
      const q = { vector: unit(rng, 8), terms: new Int32Array(0), k: 10 };
      const filtered = index.search([{ ...q, category: 'c2', categoryMode: 'filter' as const }])[0]!;
      expect(filtered).toHaveLength(8);
      expect(filtered.every((h) => h.category === 'c2')).toBe(true);
      const boosted = index.search([{ ...q, category: 'c3', categoryMode: 'boost' as const }])[0]!;
      expect(boosted.map((h) => h.category)).toEqual([
        ...Array(8).fill('c3'),
        expect.any(String),
        expect.any(String),
      ]);
      expect(index.search([{ ...q, category: 'nope', categoryMode: 'filter' as const }])[0]).toEqual([]);
    });

    it("answers in the asker's language only when one of them is relevant, always best score first", () => {
      // Four answers along the axes; the question leans towards the English answer of c1.
      const axis = (i: number) => Float32Array.from({ length: 4 }, (_, j) => (j === i ? 1 : 0));
      const index = new AnswerIndex(4, { dense: 6, count: 0, weighted: 0, bias: -3 }, idf, { simd });
      index.upsert([
        { id: 1, revision: 1, category: 'c1', language: 'en', vector: axis(0), terms: new Int32Array(0) },
        { id: 2, revision: 1, category: 'c1', language: 'ru', vector: axis(1), terms: new Int32Array(0) },
        { id: 3, revision: 1, category: 'c2', language: 'ru', vector: axis(2), terms: new Int32Array(0) },
        { id: 4, revision: 1, category: 'c2', language: 'en', vector: axis(3), terms: new Int32Array(0) },
      ]);
      const q = { vector: Float32Array.of(0.8, 0.5, 0.3, 0.1), terms: new Int32Array(0), k: 3 };
      const ids = (x: object) => index.search([{ ...q, ...x }])[0]!.map((h) => h.id);
      // Unasked: by score alone.
      expect(ids({})).toEqual([1, 2, 3]);
      // Russian answer 2 scores σ(6·0.5 − 3) = 0.5: relevant at a floor of 0.4, so Russian only.
      const ru = index.search([{ ...q, language: 'ru', languageFloor: 0.4 }])[0]!;
      expect(ru.map((h) => [h.id, h.language])).toEqual([
        [2, 'ru'],
        [3, 'ru'],
      ]);
      // At a floor of 0.6 no Russian answer is relevant: every language, by score.
      expect(ids({ language: 'ru', languageFloor: 0.6 })).toEqual([1, 2, 3]);
      // A language the index does not hold changes nothing.
      expect(ids({ language: 'de', languageFloor: 0 })).toEqual([1, 2, 3]);
      // A language change is applied without a new vector.
      index.setLanguage(4, 'ru');
      expect(index.languageOf(4)).toBe('ru');
      expect(ids({ language: 'ru', languageFloor: 0.4 })).toEqual([2, 3, 4]);
      for (const hits of [index.search([{ ...q, language: 'ru' }])[0]!, index.search([q])[0]!])
        expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    });

    it('never returns a non-finite score, even from a damaged vector', () => {
      const index = new AnswerIndex(4, SCORING, idf, { simd });
      index.upsert([
        {
          id: 1,
          revision: 1,
          category: null,
          vector: Float32Array.of(Number.NaN, 1, 0, 0),
          terms: new Int32Array(0),
        },
        {
          id: 2,
          revision: 1,
          category: null,
          vector: Float32Array.of(Infinity, 0, 0, 0),
          terms: new Int32Array(0),
        },
      ]);
      const hits = index.search([
        { vector: Float32Array.of(1, 1, 1, 1), terms: new Int32Array(0), k: 2 },
      ])[0]!;
      expect(hits).toHaveLength(2);
      for (const h of hits) expect(Number.isFinite(h.score)).toBe(true);
    });
  });
}

describe('SIMD scan module', () => {
  it('compiles here and sums like plain JavaScript', () => {
    const scan = createSimdScan();
    expect(scan).not.toBeNull();
    const values = Float32Array.from({ length: 64 }, (_, i) => i / 8);
    new Float32Array(scan!.memory.buffer, 0, 64).set(values);
    expect(scan!.sum(0, 64)).toBeCloseTo(sumAll(values), 3);
  });
});
