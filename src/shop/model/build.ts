import { type BoughtTogetherModel, buildBoughtTogether } from './bought-together.js';
import { buildContent, type ContentData, type TextFeatures } from './content-index.js';
import type { Csr } from './csr.js';
import { buildEase, type SimilarityInfo } from './ease.js';
import type { InteractionLog } from './interaction-log.js';
import { buildItemSimilarity } from './item-similarity.js';
import type { ModelParams } from './params.js';
import { buildPopularity, type PopularityModel } from './popularity.js';
import { aggregateUsers } from './user-aggregate.js';

/**
 * Every model of one build, made only of plain arrays and typed arrays: it is built in a
 * worker and handed to the main thread whole, which then swaps one reference.
 */
export interface ModelData {
  /** When the build started (clock ms) and how long it took. */
  builtAt: number;
  buildMs: number;
  /** The newest event time: decay and trending are measured from here. */
  refTime: number;
  /** Events up to this row id are in the model; newer ones are applied live. */
  lastRowId: number;
  events: number;
  items: string[];
  users: string[];
  /** Per user, the time of their newest event. */
  userLast: Float64Array;
  similar: Csr;
  /** How `similar` was made: model, dense size, bound. */
  similarity: SimilarityInfo;
  /** When the imported lists in use were stored (ms; 0: none imported). */
  importedStamp: number;
  boughtTogether: BoughtTogetherModel;
  popularity: PopularityModel;
  profiles: Csr;
  purchased: Csr;
  content: ContentData;
  params: ModelParams;
}

/** What a build needs besides the events. */
export interface BuildInput {
  log: InteractionLog;
  /** Titles by item number (same order as `log.items`). */
  titles: readonly string[];
  features: TextFeatures;
  params: ModelParams;
  lastRowId: number;
  now: number;
  /** Item-to-item lists computed elsewhere: served instead of building any. */
  imported?: Csr;
  /** When those lists were stored (ms; 0: none). */
  importedStamp?: number;
}

/** Builds every model from the log; pure and synchronous (run it in a worker). */
export function buildModels(input: BuildInput): ModelData {
  const started = performance.now();
  const { log, params } = input;
  let refTime = -Infinity;
  for (let e = 0; e < log.length; e++) refTime = Math.max(refTime, log.time[e]!);
  if (!Number.isFinite(refTime)) refTime = input.now;
  const users = aggregateUsers(log, params, refTime);
  const userLast = new Float64Array(log.users.length).fill(-Infinity);
  for (let e = 0; e < log.length; e++)
    userLast[log.user[e]!] = Math.max(userLast[log.user[e]!]!, log.time[e]!);
  const similar = input.imported
    ? { similar: input.imported, info: { ...NO_DENSE, model: 'imported' as const } }
    : buildSimilar(users.userItems, log.items.length, params.similarity);
  const data: ModelData = {
    builtAt: input.now,
    buildMs: 0,
    refTime,
    lastRowId: input.lastRowId,
    events: log.length,
    items: log.items,
    users: log.users,
    userLast,
    similar: similar.similar,
    similarity: similar.info,
    importedStamp: input.imported ? (input.importedStamp ?? 0) : 0,
    boughtTogether: buildBoughtTogether(log, params.boughtTogether, refTime),
    popularity: buildPopularity(log, params, refTime),
    profiles: users.profiles,
    purchased: users.purchased,
    content: buildContent(input.titles, input.features),
    params,
  };
  data.buildMs = performance.now() - started;
  return data;
}

/** The item-to-item lists of the configured model. */
function buildSimilar(userItems: Csr, nItems: number, p: ModelParams['similarity']) {
  const knn = () => buildItemSimilarity(userItems, nItems, p);
  if (p.model === 'ease') return buildEase(userItems, nItems, p, knn);
  return { similar: knn(), info: NO_DENSE };
}

const NO_DENSE: SimilarityInfo = {
  model: 'cooccurrence',
  denseItems: 0,
  tailItems: 0,
  bounded: false,
  lambda: 0,
  engine: 'none',
  provisional: false,
  gramMs: 0,
  inverseMs: 0,
};

/** The buffers of every typed array in `data`, to transfer rather than copy across threads. */
export function transferList(data: object): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown) => {
    if (ArrayBuffer.isView(v)) out.add(v.buffer as ArrayBuffer);
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const x of Object.values(v)) visit(x);
  };
  visit(data);
  return [...out];
}
