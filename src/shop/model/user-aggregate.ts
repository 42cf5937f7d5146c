import { type Csr, csrFromRows } from './csr.js';
import { type InteractionLog, PURCHASE } from './interaction-log.js';
import { decay, type ModelParams } from './params.js';

/** What one pass over each user's events yields. */
export interface UserAggregates {
  /** User × item, the user's most recent items with log-scaled, decayed event weight: co-occurrence input. */
  userItems: Csr;
  /** User × item, the user's most relevant items (own recency), best first: personal scoring input. */
  profiles: Csr;
  /** User × item, everything the user bought, ascending ids; value is the recency-weighted purchase weight. */
  purchased: Csr;
}

/** Groups event indices by user (counting sort, O(events)). */
export function eventsByUser(log: InteractionLog): { offsets: Int32Array; events: Int32Array } {
  const offsets = new Int32Array(log.users.length + 1);
  for (let e = 0; e < log.length; e++) offsets[log.user[e]! + 1]!++;
  for (let u = 0; u < log.users.length; u++) offsets[u + 1]! += offsets[u]!;
  const cursor = offsets.slice(0, log.users.length);
  const events = new Int32Array(log.length);
  for (let e = 0; e < log.length; e++) events[cursor[log.user[e]!]!++] = e;
  return { offsets, events };
}

/** Aggregates every user's events per item, with the weights and caps of `params`. */
export function aggregateUsers(log: InteractionLog, params: ModelParams, refTime: number): UserAggregates {
  const { offsets, events } = eventsByUser(log);
  const nItems = log.items.length;
  const global = new Float64Array(nItems);
  const own = new Float64Array(nItems);
  const last = new Float64Array(nItems);
  const bought = new Uint8Array(nItems);
  const seen = new Uint8Array(nItems);
  const w = params.kindWeights;
  const coRows: { index: Int32Array; values: Float32Array }[] = [];
  const profileRows: { index: Int32Array; values: Float32Array }[] = [];
  const boughtRows: { index: Int32Array; values: Float32Array }[] = [];

  for (let u = 0; u < log.users.length; u++) {
    const touched: number[] = [];
    let userLast = -Infinity;
    for (let k = offsets[u]!; k < offsets[u + 1]!; k++) userLast = Math.max(userLast, log.time[events[k]!]!);
    for (let k = offsets[u]!; k < offsets[u + 1]!; k++) {
      const e = events[k]!;
      const it = log.item[e]!;
      const t = log.time[e]!;
      if (!seen[it]) {
        seen[it] = 1;
        touched.push(it);
        global[it] = 0;
        own[it] = 0;
        last[it] = -Infinity;
        bought[it] = 0;
      }
      const weight = w[log.kind[e]!]!;
      global[it]! += weight * decay(refTime - t, params.similarity.halfLifeDays);
      own[it]! += weight * decay(userLast - t, params.personal.historyHalfLifeDays);
      if (t > last[it]!) last[it] = t;
      if (log.kind[e] === PURCHASE) bought[it] = 1;
    }
    const recent = touched
      .slice()
      .sort((a, b) => last[b]! - last[a]! || a - b)
      .slice(0, params.similarity.maxUserItems)
      .sort((a, b) => a - b);
    coRows.push({
      index: Int32Array.from(recent),
      values: Float32Array.from(recent, (i) => Math.log1p(global[i]!)),
    });
    const relevant = touched
      .slice()
      .sort((a, b) => own[b]! - own[a]! || a - b)
      .slice(0, params.personal.historyLength);
    profileRows.push({
      index: Int32Array.from(relevant),
      values: Float32Array.from(relevant, (i) => own[i]!),
    });
    const purchases = touched.filter((i) => bought[i]).sort((a, b) => a - b);
    boughtRows.push({
      index: Int32Array.from(purchases),
      values: Float32Array.from(purchases, (i) => own[i]!),
    });
    for (const it of touched) seen[it] = 0;
  }
  return {
    userItems: csrFromRows(coRows),
    profiles: csrFromRows(profileRows),
    purchased: csrFromRows(boughtRows),
  };
}
