import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { parseCsv } from '../training/data.js';
import { spawnGateway } from './gateway-process.js';
import { type SteadyResult, steadyLoad } from './steady-load.js';
import { writeBenchResults } from './write-results.js';

/**
 * `npm run bench:serve [-- --seconds 10] [--connections 32] [--workers 0,1,2] [--rate 300]`
 *
 * The built gateway (dist, as `npm start` runs it) in a child process on loopback, with the
 * committed default classifier; autocannon in this process posts BANKING77 test texts to
 * `POST /api/v1/classify`. For each inference-thread count: as fast as it goes over
 * `connections` connections (throughput, p99), then a steady 300 req/s, evenly spaced
 * (p50/p99 from when each request was due), and autocannon's own 300 req/s (which sends
 * each connection's quota in a burst at the start of every second); then `GET /healthz`
 * under the same load as the maximum (what HTTP alone costs here), and micro-batching off.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '0,1,2' },
    rate: { type: 'string', default: '300' },
    'no-build': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rate = Number(values.rate);
const workerCounts = values.workers.split(',').map(Number);
const KEY = 'bench-key';
const texts = parseCsv(readFileSync('training/data/banking77/test.csv', 'utf8'))
  .slice(1)
  .map((r) => r[0]!);

/** The gateway from dist in a child process with a fresh data dir; resolves once `/readyz` is 200. */
async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'neurodesk-bench-serve-'));
  const g = await spawnGateway({
    entry: 'dist',
    env: {
      NODE_ENV: 'production',
      NEURODESK_DATA_DIR: dataDir,
      NEURODESK_API_KEYS: KEY,
      NEURODESK_SHOP_DEMO: 'off',
      NEURODESK_SHOP_REBUILD_INTERVAL: '1h',
      // One load generator is one source: a per-source rate limit would measure itself.
      NEURODESK_RATE_LIMIT: '0',
      ...env,
    },
  }).catch((err) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  g.child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  return g;
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Classify load: each request posts the next BANKING77 test text. */
function classifyLoad(url: string, duration: number, overallRate?: number) {
  let i = 0;
  return autocannon({
    url,
    connections,
    duration,
    overallRate,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'POST',
          path: '/api/v1/classify',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: texts[i++ % texts.length] }),
        }),
      },
    ],
  });
}

/** Mean texts per predict since the server started, from its own histogram. */
async function meanBatch(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = Number(/^neurodesk_net_batch_size_sum (\S+)/m.exec(text)?.[1] ?? Number.NaN);
  const count = Number(/^neurodesk_net_batch_size_count (\S+)/m.exec(text)?.[1] ?? Number.NaN);
  return Math.round((sum / count) * 10) / 10;
}

type Run = Awaited<ReturnType<typeof autocannon>>;
const failures = (r: Run) => r.non2xx + r.errors + r.timeouts;
const line = (what: string, r: Run) =>
  `${what.padEnd(48)} ${String(Math.round(r.requests.average)).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  failed ${failures(r)}`;

if (!values['no-build']) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
const loadAtStart = loadavg()[0]!;
const figures: Record<string, number | string> = {};
let totalFailures = 0;
const byWorkers = new Map<number, { max: Run; steady: SteadyResult; burst: Run; batch: number }>();
let n = 0;
const steadyRequest = () => ({
  path: '/api/v1/classify',
  headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({ text: texts[n++ % texts.length] }),
});

for (const workers of workerCounts) {
  const { url, child } = await startServer({ NEURODESK_NET_WORKERS: String(workers) });
  try {
    await classifyLoad(url, 3); // warm-up: JIT, wasm, the nets' caches
    const max = await classifyLoad(url, seconds);
    const batch = await meanBatch(url);
    const steady = await steadyLoad(url, rate, seconds, steadyRequest);
    const burst = await classifyLoad(url, seconds, rate);
    byWorkers.set(workers, { max, steady, burst, batch });
    totalFailures += failures(max) + steady.failed + failures(burst);
    process.stdout.write(
      `${line(`classify, ${workers} inference threads, max`, max)}  mean batch ${batch}\n`,
    );
    process.stdout.write(
      `${`classify, ${workers} inference threads, steady ${rate} req/s`.padEnd(48)} ${String(steady.achievedRps).padStart(6)} req/s  p50 ${steady.p50Ms} ms  p99 ${steady.p99Ms} ms  failed ${steady.failed}\n`,
    );
    process.stdout.write(`${line(`classify, ${workers} threads, autocannon ${rate} req/s`, burst)}\n`);
    figures[`rpsWorkers${workers}`] = Math.round(max.requests.average);
    figures[`p99MsWorkers${workers}`] = max.latency.p99;
    figures[`p99MsAt${rate}Workers${workers}`] = steady.p99Ms;
    figures[`p99MsAt${rate}BurstsWorkers${workers}`] = burst.latency.p99;
    figures[`meanBatchWorkers${workers}`] = batch;
  } finally {
    await stopServer(child);
  }
}

// The best thread count by throughput is the one the rest of the run (and the default) uses.
const [bestWorkers, best] = [...byWorkers.entries()].sort(
  (a, b) => b[1].max.requests.average - a[1].max.requests.average,
)[0]!;
const { url, child } = await startServer({ NEURODESK_NET_WORKERS: String(bestWorkers) });
let healthz: Run;
try {
  await autocannon({ url: `${url}/healthz`, connections, duration: 2 });
  healthz = await autocannon({ url: `${url}/healthz`, connections, duration: seconds });
  totalFailures += failures(healthz);
  process.stdout.write(`${line('GET /healthz, same load', healthz)}\n`);
} finally {
  await stopServer(child);
}
const off = await startServer({ NEURODESK_NET_WORKERS: String(bestWorkers), NEURODESK_BATCH_MAX_SIZE: '1' });
let unbatched: Run;
try {
  await classifyLoad(off.url, 3);
  unbatched = await classifyLoad(off.url, seconds);
  totalFailures += failures(unbatched);
  process.stdout.write(`${line(`classify, batching off, ${bestWorkers} threads, max`, unbatched)}\n`);
} finally {
  await stopServer(off.child);
}

Object.assign(figures, {
  maxRps: Math.round(best.max.requests.average),
  p50MsAtMax: best.max.latency.p50,
  p99MsAtMax: best.max.latency.p99,
  p99MsAt300: best.steady.p99Ms,
  p50MsAt300: best.steady.p50Ms,
  p99MsAt300Bursts: best.burst.latency.p99,
  fixedRate: rate,
  fixedRateAchieved: best.steady.achievedRps,
  workers: bestWorkers,
  meanBatchAtMax: best.batch,
  healthzRps: Math.round(healthz.requests.average),
  healthzP99Ms: healthz.latency.p99,
  classifyToHealthzRatio: Math.round((best.max.requests.average / healthz.requests.average) * 100) / 100,
  batchingOffRps: Math.round(unbatched.requests.average),
  batchingOffP99Ms: unbatched.latency.p99,
  failedRequests: totalFailures,
  connections,
  seconds,
  loadAverage1mAtStart: loadAtStart,
});
process.stdout.write(
  `\nbest: ${bestWorkers} inference threads; classify ${figures.maxRps} req/s (p99 ${figures.p99MsAtMax} ms), ` +
    `${rate} req/s p99 ${figures.p99MsAt300} ms, /healthz ${figures.healthzRps} req/s, ` +
    `batching off ${figures.batchingOffRps} req/s; load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at the end\n`,
);
const path = writeBenchResults(
  'serve',
  `npm run bench:serve -- ${process.argv.slice(2).join(' ')}`.trim(),
  figures,
);
process.stdout.write(`wrote ${path}\n`);
