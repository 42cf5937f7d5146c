import { type DeepPartial, type ModelParams, withParams } from '../../src/shop/model/params.js';
import type { RetailLine } from '../../training/shop/online-retail.js';
import { evaluateMovielens, type Interaction, splitPerUser } from './movielens.js';
import { evaluateRetail, lastDays, splitByTime } from './retail.js';

/**
 * Where every search starts (the hand-set values before any tuning), fixed here so that
 * `--tune` gives the same answer however the shipped defaults were later set.
 */
export const SEARCH_START: ModelParams = {
  kindWeights: [1, 2, 4],
  similarity: {
    model: 'ease',
    lambda: 300,
    diagonalPenalty: 0,
    gramUserDamping: 0.3,
    popularityDebias: 0,
    cooccurrenceBlend: 0,
    denseMaxItems: 3000,
    neighbours: 100,
    shrink: 10,
    alpha: 0.5,
    beta: 0.3,
    userDamping: 0.3,
    halfLifeDays: 0,
    maxUserItems: 300,
  },
  boughtTogether: {
    neighbours: 30,
    minSupport: 3,
    popularityDamping: 0.3,
    maxBasketItems: 100,
    halfLifeDays: 0,
  },
  popularity: {
    halfLifeDays: 30,
    trendingRecentDays: 7,
    trendingBaselineDays: 28,
    trendingMinRecent: 3,
    listLength: 200,
  },
  personal: { historyLength: 50, historyHalfLifeDays: 60, repeatWeight: 0.5, rowNormalisation: 'sum' },
};

/** One tunable knob: where it lives in the params and the values tried. */
interface Knob {
  group: 'similarity' | 'boughtTogether' | 'popularity' | 'personal';
  key: string;
  values: (number | string)[];
}

type Overrides = DeepPartial<ModelParams>;

function set(o: Overrides, knob: Knob, value: number | string): Overrides {
  return { ...o, [knob.group]: { ...(o[knob.group] as object), [knob.key]: value } };
}

/**
 * Coordinate ascent: each knob in turn takes the value that scores best with the others
 * fixed; `rounds` passes. Cheap (a few dozen evaluations) and enough for smooth knobs.
 */
function coordinateAscent(
  base: ModelParams,
  start: Overrides,
  knobs: Knob[],
  score: (p: ModelParams) => number,
  log: (line: string) => void,
  rounds = 2,
): { overrides: Overrides; score: number } {
  let best = start;
  let bestScore = score(withParams(base, best));
  for (let round = 0; round < rounds; round++) {
    for (const knob of knobs) {
      for (const value of knob.values) {
        const candidate = set(best, knob, value);
        const s = score(withParams(base, candidate));
        if (s > bestScore + 1e-9) {
          best = candidate;
          bestScore = s;
          log(`  ${knob.group}.${knob.key} = ${value}: ${s.toFixed(4)}`);
        }
      }
    }
  }
  return { overrides: best, score: bestScore };
}

/** Every combination of the knobs' values (a full grid), scored; returns the best. */
function grid(
  base: ModelParams,
  start: Overrides,
  knobs: Knob[],
  score: (p: ModelParams) => number,
  log: (line: string) => void,
): { overrides: Overrides; score: number } {
  let combos: Overrides[] = [start];
  for (const knob of knobs) combos = combos.flatMap((o) => knob.values.map((v) => set(o, knob, v)));
  let best = { overrides: start, score: -Infinity };
  for (const o of combos) {
    const s = score(withParams(base, o));
    if (s > best.score) {
      best = { overrides: o, score: s };
      log(`  grid ${JSON.stringify(o)}: ${s.toFixed(4)}`);
    }
  }
  return best;
}

/**
 * Tunes the item-to-item model on MovieLens: validation splits (80/20 per user, other
 * seeds) carved from the training part only, scored by their mean nDCG@10.
 */
export function tuneMovielens(
  train: readonly Interaction[],
  base: ModelParams,
  seed: number,
  log: (line: string) => void,
): { overrides: Overrides; validationNdcg10: number } {
  // Two validation folds (different seeds), averaged: one fold's noise picked settings
  // that differed by more than the differences being measured.
  const folds = [splitPerUser(train, 0.8, seed + 1), splitPerUser(train, 0.8, seed + 2)];
  const score = (p: ModelParams) =>
    folds.reduce((sum, f) => sum + evaluateMovielens(f.train, f.test, p).ndcg, 0) / folds.length;
  // λ and the co-occurrence blend interact most: a full grid first, then the rest by
  // coordinate ascent from the best grid point. EASE rows are regression weights, so the
  // row normalisation knob has no effect on them and is not searched.
  // EASE scores a user from their whole history: the search starts with all of it, and with
  // 500 weights per row (the search start's 100 cut rows short while λ and the rest were chosen).
  const coarse = grid(
    base,
    { personal: { historyLength: 1000 }, similarity: { neighbours: 500 } },
    [
      { group: 'similarity', key: 'lambda', values: [200, 400, 800] },
      { group: 'similarity', key: 'cooccurrenceBlend', values: [0, 0.5, 1, 2] },
    ],
    score,
    log,
  );
  // The recency of a user's own history is searched first: the search start's 60-day
  // half-life (a shop's value) cost MovieLens 0.005 of P@10 while it was left untuned.
  // Then λ on a finer grid around the coarse point, and the popularity de-bias of EASE's columns.
  const knobs: Knob[] = [
    { group: 'personal', key: 'historyHalfLifeDays', values: [0, 60, 365] },
    { group: 'similarity', key: 'neighbours', values: [200, 500] },
    { group: 'similarity', key: 'lambda', values: [250, 300, 350, 450, 500, 600] },
    { group: 'similarity', key: 'gramUserDamping', values: [0, 0.15, 0.3, 0.5] },
    { group: 'similarity', key: 'diagonalPenalty', values: [0, 0.1, 0.2, 0.3] },
    { group: 'similarity', key: 'popularityDebias', values: [0, 0.05, 0.1, 0.2] },
    { group: 'similarity', key: 'beta', values: [0, 0.3] },
    { group: 'personal', key: 'historyLength', values: [100, 1000] },
  ];
  const r = coordinateAscent(base, coarse.overrides, knobs, score, log, 1);
  return { overrides: r.overrides, validationNdcg10: r.score };
}

/**
 * Tunes the retail models on Online Retail: validation is the last 30 days of the training
 * part, trained on what comes before. Bought together is tuned on its basket hit rate,
 * personal on its customer hit rate, and the top-seller baseline on its own basket hit rate
 * (so the baseline is as well tuned as the models it is compared with).
 */
export function tuneRetail(
  train: readonly RetailLine[],
  base: ModelParams,
  log: (line: string) => void,
): { overrides: Overrides; validation: Record<string, number> } {
  const inner = splitByTime(train, lastDays(train, 30));
  // Top sellers and bought together do not read the item-to-item lists: their stages build
  // the cheap co-occurrence lists instead of the EASE inverse (same figures, less time).
  const cheap = withParams(base, { similarity: { model: 'cooccurrence' } });
  const top = coordinateAscent(
    cheap,
    {},
    [{ group: 'popularity', key: 'halfLifeDays', values: [0, 7, 14, 30, 90] }],
    (p) => evaluateRetail(inner.train, inner.test, p).basketTopSellersHitRate,
    log,
    1,
  );
  const bought = coordinateAscent(
    cheap,
    top.overrides,
    [
      { group: 'boughtTogether', key: 'popularityDamping', values: [0, 0.15, 0.3, 0.5] },
      { group: 'boughtTogether', key: 'halfLifeDays', values: [0, 30, 60, 120] },
      { group: 'boughtTogether', key: 'minSupport', values: [2, 3, 5] },
      { group: 'boughtTogether', key: 'maxBasketItems', values: [50, 100, 250] },
    ],
    (p) => evaluateRetail(inner.train, inner.test, p).boughtTogetherHitRate,
    log,
    1,
  );
  const personal = coordinateAscent(
    base,
    bought.overrides,
    [
      { group: 'personal', key: 'repeatWeight', values: [0, 0.25, 0.5, 1, 2, 4] },
      { group: 'personal', key: 'historyHalfLifeDays', values: [0, 14, 30, 90] },
      { group: 'personal', key: 'historyLength', values: [20, 50, 100] },
      { group: 'similarity', key: 'lambda', values: [100, 300, 1000] },
      { group: 'similarity', key: 'cooccurrenceBlend', values: [0, 1, 3] },
      { group: 'similarity', key: 'halfLifeDays', values: [0, 60, 180] },
      // The co-occurrence lists blended into EASE (and standing in past the bound): the
      // pre-EASE model's user damping, and the EASE columns' popularity de-bias.
      { group: 'similarity', key: 'userDamping', values: [0.3, 0.8] },
      { group: 'similarity', key: 'beta', values: [0, 0.3] },
      { group: 'similarity', key: 'popularityDebias', values: [0, 0.1] },
    ],
    (p) => evaluateRetail(inner.train, inner.test, p).personalHitRate,
    log,
    1,
  );
  return {
    overrides: personal.overrides,
    validation: {
      topSellersBasketHitRate10: top.score,
      boughtTogetherHitRate10: bought.score,
      personalHitRate10: personal.score,
    },
  };
}
