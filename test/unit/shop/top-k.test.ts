import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopK } from '../../../src/shop/model/top-k.js';

describe('top-k selection', () => {
  it('keeps exactly what a full sort would put first (ties go to the lower id)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 12 }),
        (scores, k) => {
          const top = new TopK(k);
          for (const [id, s] of scores.entries()) top.push(id, s);
          const expected = scores
            .map((s, id) => ({ id, s }))
            .sort((a, b) => b.s - a.s || a.id - b.id)
            .slice(0, k);
          const got = top.sorted();
          expect(Array.from(got.ids)).toEqual(expected.map((e) => e.id));
          expect(Array.from(got.scores)).toEqual(expected.map((e) => e.s));
        },
      ),
    );
  });
});
