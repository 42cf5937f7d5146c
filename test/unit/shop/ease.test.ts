import * as tf from '@tensorflow/tfjs';
import { Matrix, inverse as mlInverse } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../bench/recs/random.js';
import { csrFromRows } from '../../../src/shop/model/csr.js';
import { BASE_BLOCK, invertSpd, loadTfjs, tfReady } from '../../../src/shop/model/dense-inverse.js';
import { buildEase } from '../../../src/shop/model/ease.js';
import { InteractionLogBuilder, PURCHASE } from '../../../src/shop/model/interaction-log.js';
import { buildItemSimilarity } from '../../../src/shop/model/item-similarity.js';
import { DEFAULT_PARAMS, withParams } from '../../../src/shop/model/params.js';
import { PersonalScorer } from '../../../src/shop/model/personal-scorer.js';
import { aggregateUsers } from '../../../src/shop/model/user-aggregate.js';

/** A random 0/1 user × item matrix (seeded) and its regularised Gram matrix. */
function randomGram(users: number, items: number, density: number, lambda: number, seed = 3) {
  const random = seededRandom(seed);
  const x: number[][] = [];
  for (let u = 0; u < users; u++) x.push(Array.from({ length: items }, () => (random() < density ? 1 : 0)));
  const g = new Float32Array(items * items);
  for (const row of x)
    for (let i = 0; i < items; i++) if (row[i]) for (let j = 0; j < items; j++) g[i * items + j]! += row[j]!;
  for (let i = 0; i < items; i++) g[i * items + i]! += lambda;
  return { x, g };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!));
  return m;
}

function reference(g: Float32Array, n: number): Float64Array {
  const rows = Array.from({ length: n }, (_, i) => Array.from(g.subarray(i * n, (i + 1) * n)));
  return Float64Array.from(mlInverse(new Matrix(rows)).to1DArray());
}

describe('dense inverse', () => {
  const n = BASE_BLOCK * 2 + 37; // two levels of the block recursion
  const { g } = randomGram(3 * n, n, 0.05, 20);
  const expected = reference(g, n);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  it('matches a float64 LU inverse without a TF.js backend (plain JS multiplications)', () => {
    expect(tfReady()).toBe(false);
    const { inverse, engine } = invertSpd({ matrix: g }, n);
    expect(engine).toBe('js');
    expect(maxAbsDiff(inverse, expected) / scale).toBeLessThan(1e-4);
  });

  describe('on TF.js', () => {
    beforeAll(async () => {
      await loadTfjs();
    });
    afterAll(() => {
      tf.disposeVariables();
    });
    it('matches it with the multiplications on TF.js (wasm), and leaks no tensor', () => {
      const before = tf.memory().numTensors;
      const { inverse, engine } = invertSpd({ matrix: g }, n);
      expect(engine).toBe('tfjs');
      expect(maxAbsDiff(inverse, expected) / scale).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before);
    });
    it('refuses a matrix that is not positive definite', () => {
      const bad = new Float32Array([1, 2, 2, 1]);
      expect(() => invertSpd({ matrix: bad }, 2)).toThrow(/not positive definite/);
    });
  });
});

describe('EASE', () => {
  const params = withParams(DEFAULT_PARAMS, {
    similarity: {
      model: 'ease',
      lambda: 5,
      gramUserDamping: 0,
      diagonalPenalty: 0,
      cooccurrenceBlend: 0,
      neighbours: 100,
    },
  });
  const users = 60;
  const items = 12;
  const { x } = randomGram(users, items, 0.3, 0, 11);
  const userItems = csrFromRows(
    x.map((row) => {
      const index = row.flatMap((v, i) => (v ? [i] : []));
      return { index: Int32Array.from(index), values: Float32Array.from(index, () => 1) };
    }),
  );
  const knn = () => buildItemSimilarity(userItems, items, params.similarity);

  it('is B = I − P·diag(1/diag P) with P = (XᵀX + λI)⁻¹, zero diagonal, rows best first', () => {
    const { similar, info } = buildEase(userItems, items, params.similarity, knn);
    expect(info).toMatchObject({ model: 'ease', denseItems: items, tailItems: 0, bounded: false });
    const g = new Float32Array(items * items);
    for (const row of x)
      for (let i = 0; i < items; i++)
        if (row[i]) for (let j = 0; j < items; j++) g[i * items + j]! += row[j]!;
    for (let i = 0; i < items; i++) g[i * items + i]! += 5;
    const p = reference(g, items);
    for (let i = 0; i < items; i++) {
      const start = similar.offsets[i]!;
      const end = similar.offsets[i + 1]!;
      expect(end - start).toBe(items - 1);
      for (let m = start; m < end; m++) {
        const j = similar.index[m]!;
        expect(j).not.toBe(i);
        expect(similar.values[m]!).toBeCloseTo(-p[i * items + j]! / p[j * items + j]!, 4);
        if (m > start) expect(similar.values[m]!).toBeLessThanOrEqual(similar.values[m - 1]!);
      }
    }
  });

  it("with popularity de-bias γ divides each column of B by its item's user count^γ", () => {
    const gamma = 0.5;
    const plain = buildEase(userItems, items, params.similarity, knn).similar;
    const debiased = buildEase(
      userItems,
      items,
      withParams(params, { similarity: { popularityDebias: gamma } }).similarity,
      knn,
    ).similar;
    const counts = Array.from({ length: items }, (_, i) => x.filter((row) => row[i]).length);
    const weight = (m: typeof plain, i: number, j: number) => {
      for (let k = m.offsets[i]!; k < m.offsets[i + 1]!; k++) if (m.index[k] === j) return m.values[k]!;
      return Number.NaN;
    };
    let changed = 0;
    for (let i = 0; i < items; i++)
      for (let j = 0; j < items; j++) {
        if (i === j) continue;
        const expected = weight(plain, i, j) * counts[j]! ** -gamma;
        expect(weight(debiased, i, j)).toBeCloseTo(expected, 5);
        if (Math.abs(expected - weight(plain, i, j)) > 1e-4) changed++;
      }
    expect(changed).toBeGreaterThan(0);
  });

  it('scores a user as their history through B: the item co-bought with theirs first', () => {
    const b = new InteractionLogBuilder();
    const add = (u: string, list: string[]) => {
      for (const it of list) b.add(u, it, PURCHASE, 0, null);
    };
    for (let u = 0; u < 20; u++) add(`tent${u}`, ['tent', 'stove', 'mat']);
    for (let u = 0; u < 20; u++) add(`reader${u}`, ['novel', 'poems']);
    for (let u = 0; u < 5; u++) add(`mixed${u}`, ['tent', 'novel']);
    add('me', ['tent', 'stove']);
    const log = b.build();
    const agg = aggregateUsers(log, params, 0);
    const { similar } = buildEase(agg.userItems, log.items.length, params.similarity, () =>
      buildItemSimilarity(agg.userItems, log.items.length, params.similarity),
    );
    const scorer = new PersonalScorer(similar, log.items.length, 'none', true);
    const id = (name: string) => log.items.indexOf(name);
    const best = scorer.score({ items: [id('tent'), id('stove')], weights: [4, 4] }, 1, {
      exclude: (j) => j === id('tent') || j === id('stove'),
    });
    expect(log.items[best.ids[0]!]).toBe('mat');
  });

  it('past the bound keeps the most popular items dense and gives the rest co-occurrence lists', () => {
    const bounded = withParams(params, { similarity: { denseMaxItems: 5 } });
    const { similar, info } = buildEase(userItems, items, bounded.similarity, knn);
    expect(info).toMatchObject({ denseItems: 5, tailItems: items - 5, bounded: true });
    const counts = Array.from({ length: items }, (_, i) => x.filter((row) => row[i]).length);
    const dense = counts
      .map((c, i) => [c, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 5)
      .map(([, i]) => i);
    const fallback = knn();
    for (let i = 0; i < items; i++) {
      const row = Array.from(similar.index.subarray(similar.offsets[i]!, similar.offsets[i + 1]!));
      if (dense.includes(i)) {
        // A dense row only names dense items.
        for (const j of row) expect(dense).toContain(j);
      } else {
        expect(row).toEqual(
          Array.from(fallback.index.subarray(fallback.offsets[i]!, fallback.offsets[i + 1]!)),
        );
      }
    }
  });
});
