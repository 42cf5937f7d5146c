import { describe, expect, it } from 'vitest';
import { buildBoughtTogether } from '../../../src/shop/model/bought-together.js';
import { InteractionLogBuilder, KIND_CODE, PURCHASE } from '../../../src/shop/model/interaction-log.js';
import { buildItemSimilarity } from '../../../src/shop/model/item-similarity.js';
import { DEFAULT_PARAMS, withParams } from '../../../src/shop/model/params.js';
import { PersonalScorer } from '../../../src/shop/model/personal-scorer.js';
import { buildPopularity } from '../../../src/shop/model/popularity.js';
import { aggregateUsers } from '../../../src/shop/model/user-aggregate.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1);

/** A log from (user, item, kind, days ago, order) rows. */
function logOf(rows: [string, string, keyof typeof KIND_CODE, number, string?][]) {
  const b = new InteractionLogBuilder();
  for (const [user, item, kind, daysAgo, order] of rows)
    b.add(user, item, KIND_CODE[kind], NOW - daysAgo * DAY, order ?? null);
  return b.build();
}

const names = (log: { items: string[] }, ids: ArrayLike<number>) => Array.from(ids, (i) => log.items[i]!);

describe('item-to-item similarity', () => {
  it('makes items that share buyers each other’s first neighbours, ahead of items that share one viewer', () => {
    const log = logOf([
      ['a', 'tent', 'purchase', 1],
      ['a', 'stove', 'purchase', 1],
      ['b', 'tent', 'purchase', 2],
      ['b', 'stove', 'purchase', 2],
      ['c', 'tent', 'view', 1],
      ['c', 'novel', 'view', 1],
      ['d', 'novel', 'purchase', 1],
      ['d', 'poems', 'purchase', 1],
    ]);
    const users = aggregateUsers(log, DEFAULT_PARAMS, NOW);
    const sim = buildItemSimilarity(users.userItems, log.items.length, DEFAULT_PARAMS.similarity);
    const row = (id: string) => {
      const i = log.items.indexOf(id);
      return names(log, sim.index.subarray(sim.offsets[i]!, sim.offsets[i + 1]!));
    };
    expect(row('tent')).toEqual(['stove', 'novel']);
    expect(row('stove')).toEqual(['tent']);
    expect(row('poems')).toEqual(['novel']);
  });
});

describe('personal scoring', () => {
  it('never offers excluded items and lets bought repeatable items come back', () => {
    const log = logOf([
      ['a', 'milk', 'purchase', 3, 'o1'],
      ['a', 'bread', 'purchase', 3, 'o1'],
      ['b', 'milk', 'purchase', 2, 'o2'],
      ['b', 'tv', 'purchase', 2, 'o2'],
    ]);
    const users = aggregateUsers(log, DEFAULT_PARAMS, NOW);
    const sim = buildItemSimilarity(users.userItems, log.items.length, DEFAULT_PARAMS.similarity);
    const scorer = new PersonalScorer(sim, log.items.length);
    const [milk, bread, tv] = ['milk', 'bread', 'tv'].map((id) => log.items.indexOf(id)) as [
      number,
      number,
      number,
    ];
    const history = { items: [milk, tv], weights: [1, 1] };
    const plain = names(log, scorer.score(history, 5, { exclude: (j) => j === tv }).ids);
    expect(plain).not.toContain('tv');
    expect(plain).toContain('bread');
    expect(plain).toContain('milk');
    const again = scorer.score(history, 5, {
      exclude: (j) => j === tv || j === milk,
      buyAgain: { items: [bread], weights: [1] },
      repeatWeight: 10,
    });
    expect(names(log, again.ids)[0]).toBe('bread');
    expect(names(log, again.ids)).not.toContain('milk');
  });
});

describe('bought together', () => {
  it('ranks this season’s pairs first with a half-life, but reports plain basket counts', () => {
    const rows: [string, string, 'purchase', number, string][] = [];
    // Old pairs: jacket + scarf in 5 baskets a year ago. New: jacket + sunglasses in 3 baskets last week.
    for (let n = 0; n < 5; n++)
      rows.push(
        [`u${n}`, 'jacket', 'purchase', 365, `old${n}`],
        [`u${n}`, 'scarf', 'purchase', 365, `old${n}`],
      );
    for (let n = 0; n < 3; n++)
      rows.push(
        [`v${n}`, 'jacket', 'purchase', 7, `new${n}`],
        [`v${n}`, 'sunglasses', 'purchase', 7, `new${n}`],
      );
    const log = logOf(rows);
    const jacket = log.items.indexOf('jacket');
    const list = (halfLifeDays: number) => {
      const bt = buildBoughtTogether(
        log,
        { ...DEFAULT_PARAMS.boughtTogether, popularityDamping: 0, halfLifeDays },
        NOW,
      );
      const from = bt.lists.offsets[jacket]!;
      const to = bt.lists.offsets[jacket + 1]!;
      return names(log, bt.lists.index.subarray(from, to)).map((id, r) => [id, bt.pairCounts[from + r]]);
    };
    expect(list(0)).toEqual([
      ['scarf', 5],
      ['sunglasses', 3],
    ]);
    expect(list(30)).toEqual([
      ['sunglasses', 3],
      ['scarf', 5],
    ]);
  });
});

describe('top sellers and trending', () => {
  it('counts sales (not units, not views), decayed by age', () => {
    const b = new InteractionLogBuilder();
    for (let n = 0; n < 10; n++) b.add(`u${n}`, 'old-hit', PURCHASE, NOW - 200 * DAY, null);
    for (let n = 0; n < 4; n++) b.add(`v${n}`, 'new-hit', PURCHASE, NOW - DAY, null);
    for (let n = 0; n < 50; n++) b.add(`w${n}`, 'window-shopping', KIND_CODE.view, NOW - DAY, null);
    const log = b.build();
    const undecayed = buildPopularity(
      log,
      withParams(DEFAULT_PARAMS, { popularity: { halfLifeDays: 0 } }),
      NOW,
    );
    expect(names(log, undecayed.topSellers.ids)).toEqual(['old-hit', 'new-hit', 'window-shopping']);
    const decayed = buildPopularity(
      log,
      withParams(DEFAULT_PARAMS, { popularity: { halfLifeDays: 30 } }),
      NOW,
    );
    expect(names(log, decayed.topSellers.ids)).toEqual(['new-hit', 'old-hit', 'window-shopping']);
  });

  it('finds an item rising against its own past, not a steady bestseller', () => {
    const b = new InteractionLogBuilder();
    // Steady: 10 sales every week for five weeks. Rising: 1 a week, then 8 in the last week.
    for (let week = 0; week < 5; week++) {
      for (let n = 0; n < 10; n++)
        b.add(`s${week}-${n}`, 'steady', PURCHASE, NOW - (week * 7 + 3) * DAY, null);
      const rising = week === 0 ? 8 : 1;
      for (let n = 0; n < rising; n++)
        b.add(`r${week}-${n}`, 'rising', PURCHASE, NOW - (week * 7 + 3) * DAY, null);
    }
    const log = b.build();
    const pop = buildPopularity(log, DEFAULT_PARAMS, NOW);
    expect(names(log, pop.trending.ids)).toEqual(['rising']);
    expect(names(log, pop.topSellers.ids)[0]).toBe('steady');
  });
});
