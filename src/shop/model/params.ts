/** How a history item's neighbour row is scaled before it is added: to sum 1, to max 1, or not. */
export type RowNormalisation = 'sum' | 'max' | 'none';

/**
 * The hyper-parameters of every shop model. A half-life of 0 means "no time decay".
 */
export interface ModelParams {
  /** Weight of a view, a cart addition and a purchase: purchases say more than views. */
  kindWeights: readonly [view: number, cart: number, purchase: number];
  similarity: {
    /**
     * `ease`: the closed-form item-item model of Steck (2019), dense over the most popular
     * `denseMaxItems` items; `cooccurrence`: neighbour lists by asymmetric cosine (ItemKNN).
     */
    model: 'ease' | 'cooccurrence';
    /** EASE's L2 penalty λ (added to the Gram matrix's diagonal). */
    lambda: number;
    /** EASE: ρ, a share of each item's own Gram weight added to its diagonal on top of λ. */
    diagonalPenalty: number;
    /** EASE: a user with n items weighs n^-gramUserDamping in the Gram matrix. */
    gramUserDamping: number;
    /**
     * EASE: popularity de-biasing γ, each item's incoming weights (B's column) are divided by
     * its user count^γ, so bestsellers are suggested less for being bestsellers (0: none).
     */
    popularityDebias: number;
    /** EASE: weight of the co-occurrence lists added to the EASE rows (0: EASE alone). */
    cooccurrenceBlend: number;
    /** The bound of the dense EASE part: past it the least popular items keep co-occurrence lists. */
    denseMaxItems: number;
    /** Neighbours kept per item. */
    neighbours: number;
    /** Added to the denominator: pairs seen by few users are pulled towards zero. */
    shrink: number;
    /** Asymmetric cosine exponent: 0.5 is the plain cosine. */
    alpha: number;
    /** Popularity damping: a neighbour's score is divided by its user count to this power. */
    beta: number;
    /** A user with n items contributes 1/n^userDamping to each pair (heavy buyers say less per pair). */
    userDamping: number;
    /** Older interactions count less in co-occurrence. */
    halfLifeDays: number;
    /** Only a user's most recent items enter co-occurrence: bounds the cost of wholesale buyers. */
    maxUserItems: number;
  };
  boughtTogether: {
    neighbours: number;
    /** Minimum number of baskets holding both items. */
    minSupport: number;
    /** Rank by confidence / P(other)^damping: 0 ranks by confidence, 1 by lift. */
    popularityDamping: number;
    /** Baskets with more distinct items than this say little about pairs and are skipped. */
    maxBasketItems: number;
    /** Older baskets count less in the ranking (0: no decay). */
    halfLifeDays: number;
  };
  popularity: {
    halfLifeDays: number;
    /** Trending compares the last `recentDays` with the `baselineDays` before them. */
    trendingRecentDays: number;
    trendingBaselineDays: number;
    /** An item needs at least this much recent weight to trend. */
    trendingMinRecent: number;
    /** Length of the precomputed top lists (overall and per category). */
    listLength: number;
  };
  personal: {
    /** A user's most relevant items kept for scoring. */
    historyLength: number;
    /** Recency of a user's own events, relative to their last event. */
    historyHalfLifeDays: number;
    /** Weight of "buy again" for repeatable goods, against the item-to-item score. */
    repeatWeight: number;
    /** How each history item's neighbour row is scaled before the rows are added up. */
    rowNormalisation: RowNormalisation;
  };
}

/**
 * The shipped defaults: the values `npm run bench:recs -- --tune` chose (bench/recs/tuned-params.json,
 * "retail"). Core item-to-item knobs (EASE's λ, blend, penalties) on MovieLens validation; λ
 * again, decay, baskets and buy-again on the last 30 days of Online Retail's training part. Kind weights are set by hand:
 * neither data set has views or carts to tune them on.
 */
export const DEFAULT_PARAMS: ModelParams = {
  kindWeights: [1, 2, 4],
  similarity: {
    model: 'ease',
    lambda: 400,
    diagonalPenalty: 0.2,
    gramUserDamping: 0.3,
    popularityDebias: 0,
    cooccurrenceBlend: 1,
    denseMaxItems: 3000,
    neighbours: 500,
    shrink: 10,
    alpha: 0.5,
    beta: 0,
    userDamping: 0.3,
    halfLifeDays: 60,
    maxUserItems: 300,
  },
  boughtTogether: {
    neighbours: 30,
    minSupport: 2,
    popularityDamping: 0,
    maxBasketItems: 100,
    halfLifeDays: 0,
  },
  popularity: {
    halfLifeDays: 7,
    trendingRecentDays: 7,
    trendingBaselineDays: 28,
    trendingMinRecent: 3,
    listLength: 200,
  },
  personal: { historyLength: 50, historyHalfLifeDays: 0, repeatWeight: 2, rowNormalisation: 'sum' },
};

/** Deep-merges partial overrides into `base` (used by tuning and tests). */
export function withParams(base: ModelParams, overrides: DeepPartial<ModelParams>): ModelParams {
  return {
    kindWeights: (overrides.kindWeights as ModelParams['kindWeights']) ?? base.kindWeights,
    similarity: { ...base.similarity, ...overrides.similarity },
    boughtTogether: { ...base.boughtTogether, ...overrides.boughtTogether },
    popularity: { ...base.popularity, ...overrides.popularity },
    personal: { ...base.personal, ...overrides.personal },
  };
}

/** Partial at every level. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

const DAY_MS = 86_400_000;

/** The weight of an event `ageMs` old under a half-life in days (0: no decay). */
export function decay(ageMs: number, halfLifeDays: number): number {
  if (halfLifeDays <= 0) return 1;
  return 2 ** (-Math.max(0, ageMs) / (halfLifeDays * DAY_MS));
}
