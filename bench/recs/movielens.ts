import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModels, type ModelData } from '../../src/shop/model/build.js';
import { InteractionLogBuilder, PURCHASE } from '../../src/shop/model/interaction-log.js';
import type { ModelParams } from '../../src/shop/model/params.js';
import { PersonalScorer } from '../../src/shop/model/personal-scorer.js';
import { trigramFeatures } from '../../src/shop/text-features.js';
import { Mean, ndcgAt, precisionAt } from './metrics.js';
import { seededRandom, shuffle } from './random.js';

/** One rating treated as an implicit interaction. */
export interface Interaction {
  user: string;
  item: string;
  time: number;
}

/** Reads the film titles of `u.item` (Latin-1), by item id. */
export function readMovieTitles(dir: string): Map<string, string> {
  const titles = new Map<string, string>();
  for (const line of readFileSync(join(dir, 'u.item'), 'latin1').split('\n')) {
    const [id, title] = line.split('|');
    if (id && title) titles.set(id, title);
  }
  return titles;
}

/** Reads `u.data` (user, item, rating, unix seconds); every rating counts as an interaction. */
export function readMovielens(dir: string): Interaction[] {
  const text = readFileSync(join(dir, 'u.data'), 'utf8');
  const out: Interaction[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [user, item, , seconds] = line.split('\t');
    out.push({ user: user!, item: item!, time: Number(seconds) * 1000 });
  }
  return out;
}

/** A random per-user split: each user's interactions are shuffled and `share` of them train. */
export function splitPerUser(
  rows: readonly Interaction[],
  share: number,
  seed: number,
): { train: Interaction[]; test: Interaction[] } {
  const byUser = new Map<string, Interaction[]>();
  for (const r of rows) {
    const list = byUser.get(r.user) ?? [];
    if (list.length === 0) byUser.set(r.user, list);
    list.push(r);
  }
  const random = seededRandom(seed);
  const train: Interaction[] = [];
  const test: Interaction[] = [];
  for (const user of [...byUser.keys()].sort((a, b) => Number(a) - Number(b))) {
    const list = shuffle(byUser.get(user)!, random);
    const cut = Math.round(list.length * share);
    train.push(...list.slice(0, cut));
    test.push(...list.slice(cut));
  }
  return { train, test };
}

/** Figures of one MovieLens run. */
export interface MovielensResult {
  precision: number;
  ndcg: number;
  popPrecision: number;
  popNdcg: number;
  buildSeconds: number;
  users: number;
  similarity: ModelData['similarity'];
}

/**
 * Trains popularity and item-to-item on `train`, then ranks every item for each test user
 * with their training items filtered out, and scores the top `k` against their test items.
 */
export function evaluateMovielens(
  train: readonly Interaction[],
  test: readonly Interaction[],
  params: ModelParams,
  titles: ReadonlyMap<string, string> = new Map(),
  k = 10,
): MovielensResult {
  const builder = new InteractionLogBuilder();
  for (const r of train) builder.add(r.user, r.item, PURCHASE, r.time, null);
  const log = builder.build();
  const started = performance.now();
  const models = buildModels({
    log,
    titles: log.items.map((id) => titles.get(id) ?? id),
    features: trigramFeatures(),
    // Most popular is a plain count in this protocol's anchor: no decay.
    params: { ...params, popularity: { ...params.popularity, halfLifeDays: 0 } },
    lastRowId: 0,
    now: Date.now(),
  });
  const buildSeconds = (performance.now() - started) / 1000;
  const { similar, popularity, profiles, purchased } = models;

  const userIndex = new Map(log.users.map((u, i) => [u, i]));
  const itemIndex = new Map(log.items.map((it, i) => [it, i]));
  const relevant = new Map<number, Set<number>>();
  for (const r of test) {
    const u = userIndex.get(r.user);
    const it = itemIndex.get(r.item);
    // Items never seen in training cannot be recommended by any model; they still count as misses.
    if (u === undefined) continue;
    const set = relevant.get(u) ?? new Set<number>();
    relevant.set(u, set);
    set.add(it ?? -1 - set.size);
  }
  const scorer = new PersonalScorer(
    similar,
    log.items.length,
    params.personal.rowNormalisation,
    models.similarity.model === 'ease',
  );
  const precision = new Mean();
  const ndcg = new Mean();
  const popPrecision = new Mean();
  const popNdcg = new Mean();
  for (const [u, truth] of relevant) {
    // Every training item of the user is "seen" (all are purchases here).
    const seen = new Set(purchased.index.subarray(purchased.offsets[u]!, purchased.offsets[u + 1]!));
    const history = {
      items: profiles.index.subarray(profiles.offsets[u]!, profiles.offsets[u + 1]!),
      weights: profiles.values.subarray(profiles.offsets[u]!, profiles.offsets[u + 1]!),
    };
    const ranked = scorer.score(history, k, { exclude: (j) => seen.has(j) }).ids;
    precision.add(precisionAt(ranked, truth, k));
    ndcg.add(ndcgAt(ranked, truth, k));
    const pop: number[] = [];
    for (const j of popularity.topSellers.ids) {
      if (!seen.has(j)) pop.push(j);
      if (pop.length === k) break;
    }
    popPrecision.add(precisionAt(pop, truth, k));
    popNdcg.add(ndcgAt(pop, truth, k));
  }
  return {
    precision: precision.value,
    ndcg: ndcg.value,
    popPrecision: popPrecision.value,
    popNdcg: popNdcg.value,
    buildSeconds,
    users: relevant.size,
    similarity: models.similarity,
  };
}
