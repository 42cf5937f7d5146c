import autocannon from 'autocannon';
import { spawnGateway } from '../gateway-process.js';
import { steadyLoad } from '../steady-load.js';
import { seededRandom } from './random.js';

const KEY = 'bench-key';

/** A gateway in a child process, so the load generator does not share its event loop. */
function startServer(dataDir: string) {
  return spawnGateway({
    entry: 'tsx',
    env: {
      NODE_ENV: 'production',
      NEURODESK_DATA_DIR: dataDir,
      NEURODESK_API_KEYS: KEY,
      NEURODESK_SHOP_DEMO: 'off',
      NEURODESK_SHOP_REBUILD_INTERVAL: '1h',
      // One load generator is one source: a per-source rate limit would measure itself.
      NEURODESK_RATE_LIMIT: '0',
    },
  });
}

/** Cumulative request counts per latency bucket (seconds) of the shop GET routes, from /metrics. */
async function serverBuckets(url: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<number, number>();
  const re =
    /^neurodesk_http_request_duration_seconds_bucket\{le="([^"]+)",method="GET",route="\/api\/v1\/shop[^"]*"\} (\d+)/;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The smallest bucket edge (ms) holding 99 % of the requests made between two readings. */
function p99Bucket(before: Map<number, number>, after: Map<number, number>): number {
  const edges = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const le of edges) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= 0.99 * total) return le * 1000;
  }
  return Number.POSITIVE_INFINITY;
}

/** Serving figures: latency percentiles in ms (autocannon records whole milliseconds). */
export interface ServingResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requestsPerSecond: number;
  requests: number;
  non2xx: number;
  /**
   * Server-side p99 (upper bound, a bucket edge) of the shop routes over the saturated and
   * fixed-rate phases, from the gateway's own latency histogram: time inside the process,
   * without the client's queueing.
   */
  serverP99Ms: number;
  /** The same saturating load on `/healthz`: what the machine and the HTTP stack cost alone. */
  healthzP99Ms: number;
  healthzRequestsPerSecond: number;
  /** At a steady rate, requests evenly spaced, latency from when each was due (open loop). */
  steadyRate: number;
  p50MsSteady: number;
  p99MsSteady: number;
  /** The load generator's own longest event-loop delay during the steady load (ms). */
  generatorMaxDelayMsSteady: number;
  /** At a fixed offered rate (autocannon's: each connection's quota in a burst every second). */
  fixedRate: number;
  p50MsAtFixedRate: number;
  p99MsAtFixedRate: number;
  p99MsDuringRebuild: number;
  requestsDuringRebuild: number;
  rebuildSeconds: number;
}

/**
 * Loads the four read endpoints with a seeded random mix (40 % personal, 25 % similar, 25 %
 * bought together, 10 % top) over `connections` connections: as fast as they go
 * (saturation), then at a fixed offered rate, then as fast as they go while the models
 * are rebuilt.
 */
export async function measureServing(
  dataDir: string,
  ids: { users: string[]; items: string[] },
  seconds: number,
  connections = 10,
  fixedRate = 1000,
  steadyRate = 500,
): Promise<ServingResult> {
  const { url, stop } = await startServer(dataDir);
  try {
    const random = seededRandom(99);
    const pick = <T>(a: T[]) => a[Math.floor(random() * a.length)]!;
    const path = () => {
      const r = random();
      if (r < 0.4) return `/api/v1/shop/users/${encodeURIComponent(pick(ids.users))}/recommendations?k=10`;
      if (r < 0.65) return `/api/v1/shop/items/${encodeURIComponent(pick(ids.items))}/similar?k=10`;
      if (r < 0.9) return `/api/v1/shop/items/${encodeURIComponent(pick(ids.items))}/bought-together?k=10`;
      return '/api/v1/shop/top?k=10';
    };
    const load = (duration: number, overallRate?: number) =>
      autocannon({
        url,
        connections,
        duration,
        overallRate,
        headers: { authorization: `Bearer ${KEY}` },
        requests: [{ setupRequest: (req) => ({ ...req, path: path() }) }],
      });
    await load(2); // warm-up
    const before = await serverBuckets(url);
    const steady = await load(seconds);
    const fixed = await load(seconds, fixedRate);
    const serverP99Ms = p99Bucket(before, await serverBuckets(url));
    const even = await steadyLoad(url, steadyRate, seconds, () => ({
      path: path(),
      body: '',
      headers: { authorization: `Bearer ${KEY}` },
      method: 'GET',
    }));
    // The floor: the same load on /healthz, which does no shop work at all.
    const floor = await autocannon({ url: `${url}/healthz`, connections, duration: seconds });
    const during = load(Math.max(5, Math.ceil(seconds / 2)));
    await new Promise((r) => setTimeout(r, 500));
    const started = performance.now();
    const rebuilt = await fetch(`${url}/api/v1/shop/models/rebuild`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    if (rebuilt.status !== 200) throw new Error(`rebuild answered ${rebuilt.status}`);
    const rebuildSeconds = (performance.now() - started) / 1000;
    const underRebuild = await during;
    return {
      p50Ms: steady.latency.p50,
      p99Ms: steady.latency.p99,
      maxMs: steady.latency.max,
      requestsPerSecond: steady.requests.average,
      requests: steady.requests.total,
      serverP99Ms,
      healthzP99Ms: floor.latency.p99,
      healthzRequestsPerSecond: floor.requests.average,
      steadyRate,
      p50MsSteady: even.p50Ms,
      p99MsSteady: even.p99Ms,
      generatorMaxDelayMsSteady: even.generatorMaxDelayMs,
      fixedRate,
      p50MsAtFixedRate: fixed.latency.p50,
      p99MsAtFixedRate: fixed.latency.p99,
      non2xx:
        steady.non2xx +
        fixed.non2xx +
        underRebuild.non2xx +
        steady.errors +
        even.failed +
        fixed.errors +
        underRebuild.errors,
      p99MsDuringRebuild: underRebuild.latency.p99,
      requestsDuringRebuild: underRebuild.requests.total,
      rebuildSeconds,
    };
  } finally {
    await stop();
  }
}
