/**
 * Time and peak memory of the item-to-item build as the catalogue grows, on synthetic data
 * with a long tail (Zipf popularity, exponent 1; two users per item, 5–60 items each).
 * Each measurement runs in its own process, so its peak resident memory (VmHWM) is its own.
 *
 *   npx tsx bench/recs/scale.ts --child ITEMS --mode dense|bounded   (one measurement, prints JSON)
 *   npx tsx bench/recs/scale.ts --all [--dense 2000,10000] > points.jsonl (every point bench:recs takes;
 *                                       `npm run bench:recs -- --scale-from points.jsonl` reads them)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTfjs } from '../../src/shop/model/dense-inverse.js';
import { buildEase } from '../../src/shop/model/ease.js';
import { InteractionLogBuilder, PURCHASE } from '../../src/shop/model/interaction-log.js';
import { buildItemSimilarity } from '../../src/shop/model/item-similarity.js';
import { DEFAULT_PARAMS, withParams } from '../../src/shop/model/params.js';
import { aggregateUsers } from '../../src/shop/model/user-aggregate.js';
import { seededRandom } from './random.js';

/** One measurement. */
export interface ScalePoint {
  items: number;
  mode: 'dense' | 'bounded';
  users: number;
  events: number;
  denseItems: number;
  seconds: number;
  gramSeconds: number;
  inverseSeconds: number;
  /** Peak resident memory of the whole process, and what it held before the build. */
  peakMb: number;
  baseMb: number;
}

/** Synthetic purchases: item popularity ∝ 1/rank, users' lengths spread 5–60. */
export function syntheticLog(items: number, seed = 7) {
  const random = seededRandom(seed);
  const cumulative = new Float64Array(items);
  let sum = 0;
  for (let i = 0; i < items; i++) {
    sum += 1 / (i + 1);
    cumulative[i] = sum;
  }
  const draw = () => {
    const x = random() * sum;
    let lo = 0;
    let hi = items - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const builder = new InteractionLogBuilder();
  for (let i = 0; i < items; i++) builder.addItem(`p${i}`);
  const users = items * 2;
  for (let u = 0; u < users; u++) {
    const length = 5 + Math.floor(random() ** 2 * 55);
    for (let k = 0; k < length; k++) builder.add(`u${u}`, `p${draw()}`, PURCHASE, k * 1000, null);
  }
  return { log: builder.build(), users };
}

function statusMb(field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(field));
  return Math.round(Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024);
}

async function child(items: number, mode: 'dense' | 'bounded'): Promise<ScalePoint> {
  await loadTfjs();
  const { log, users } = syntheticLog(items);
  const params = withParams(DEFAULT_PARAMS, {
    similarity: mode === 'dense' ? { denseMaxItems: items } : {},
  });
  const agg = aggregateUsers(log, params, 0);
  const baseMb = statusMb('VmRSS');
  const started = performance.now();
  const { info } = buildEase(agg.userItems, log.items.length, params.similarity, () =>
    buildItemSimilarity(agg.userItems, log.items.length, params.similarity),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    items,
    mode,
    users,
    events: log.length,
    denseItems: info.denseItems,
    seconds: Math.round(seconds * 100) / 100,
    gramSeconds: info.gramMs / 1000,
    inverseSeconds: info.inverseMs / 1000,
    peakMb: statusMb('VmHWM'),
    baseMb,
  };
}

/** Runs one measurement in a fresh process (tsx), returning its figures. */
export function measureScale(items: number, mode: 'dense' | 'bounded'): ScalePoint {
  const out = execFileSync(
    process.execPath,
    [
      '--max-old-space-size=4096',
      '--import',
      'tsx',
      'bench/recs/scale.ts',
      '--child',
      String(items),
      '--mode',
      mode,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ScalePoint;
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    mode: { type: 'string', default: 'dense' },
    all: { type: 'boolean', default: false },
    dense: { type: 'string', default: '2000,10000' },
  },
  strict: false,
});
/** The points bench:recs reports: dense at `dense` sizes, bounded at 10k and 30k items. */
export function scaleRuns(dense: string): [number, 'dense' | 'bounded'][] {
  return [
    ...dense
      .split(',')
      .filter(Boolean)
      .map((n) => [Number(n), 'dense'] as [number, 'dense']),
    [10_000, 'bounded'],
    [30_000, 'bounded'],
  ];
}

if (values.all) {
  for (const [items, mode] of scaleRuns(String(values.dense))) {
    process.stdout.write(`${JSON.stringify(measureScale(items, mode))}\n`);
  }
} else if (values.child) {
  const point = await child(Number(values.child), values.mode === 'bounded' ? 'bounded' : 'dense');
  process.stdout.write(`${JSON.stringify(point)}\n`);
}
