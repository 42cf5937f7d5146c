import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steadyLoad } from '../../bench/steady-load.js';
import { parseCsv } from '../../training/data.js';
import { authHeaders, tempDir } from '../helpers/config.js';
import { liveTensors, metricValue, netState } from '../helpers/net-stats.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, latencyBound, recordFigures, scaled } from '../helpers/reliability.js';

// The gateway as `npm start` runs it (src/main.ts), serving the committed nets with the
// production defaults: one inference thread, micro-batching.
const RATE = 100;
const SECONDS = scaled(60, 10);
/** The endpoints under load, one at a time, and the net that serves each. */
const ENDPOINTS = [
  { name: 'classify', path: '/api/v1/classify', net: 'bank-classifier' },
  // The two-tower net over the default knowledge base (seeded at first start).
  { name: 'suggest', path: '/api/v1/suggest', net: 'bank-qa' },
];
// Customers' questions the net has never seen: the BANKING77 test split, in turn.
const TEXTS = parseCsv(readFileSync('training/data/banking77/test.csv', 'utf8'))
  .slice(1)
  .map((r) => r[0]!);

let gw: GatewayProcess;

beforeAll(async () => {
  // Nothing here talks to a platform: the platforms' URLs point at a closed loopback port.
  gw = await spawnGateway(
    'src/main.ts',
    gatewayEnv(tempDir('neurodesk-nets-load-'), 'http://127.0.0.1:9', { NEURODESK_NETS_DIR: 'nets' }),
    60_000,
  );
});
afterAll(async () => {
  gw?.child.kill('SIGTERM');
  await gw?.exited;
});

describe('the nets under load', () => {
  for (const endpoint of ENDPOINTS)
    it(`answer ${endpoint.path} ${RATE} times a second for ${SECONDS} s with p99 under 150 ms, and hold no more tensors after than before`, async () => {
      let i = 0;
      const next = () => ({
        path: endpoint.path,
        body: JSON.stringify({ text: TEXTS[i++ % TEXTS.length] }),
        headers: { 'content-type': 'application/json', ...authHeaders },
      });
      // Warm-up (the net's first batches, connections open), not in the figures.
      const warmUp = await steadyLoad(gw.url, 50, 4, next);
      const tensorsBefore = await liveTensors(gw.url);
      const rssBefore = await metricValue(gw.url, 'neurodesk_process_resident_memory_bytes');
      const batchesBefore = await metricValue(gw.url, 'neurodesk_net_batch_size_count');
      const textsBefore = await metricValue(gw.url, 'neurodesk_net_batch_size_sum');

      const result = await steadyLoad(gw.url, RATE, SECONDS, next);

      const tensorsAfter = await liveTensors(gw.url);
      const rssAfter = await metricValue(gw.url, 'neurodesk_process_resident_memory_bytes');
      const batches = (await metricValue(gw.url, 'neurodesk_net_batch_size_count')) - batchesBefore;
      const texts = (await metricValue(gw.url, 'neurodesk_net_batch_size_sum')) - textsBefore;
      const served = await netState(gw.url, endpoint.net);
      recordFigures(`nets-load-${endpoint.name}`, {
        net: `${endpoint.net}@${served.version}`,
        targetRatePerS: RATE,
        seconds: SECONDS,
        requests: result.sent,
        achievedRatePerS: result.achievedRps,
        failed: result.failed,
        ...Object.fromEntries(Object.entries(result.statuses).map(([k, v]) => [`answered${k}`, v])),
        warmUpFailed: warmUp.failed,
        latencyP50Ms: result.p50Ms,
        latencyP90Ms: result.p90Ms,
        latencyP99Ms: result.p99Ms,
        latencyMaxMs: result.maxMs,
        p99TargetMs: 150,
        meanBatchSize: Math.round((texts / Math.max(1, batches)) * 10) / 10,
        liveTensorsBefore: tensorsBefore,
        liveTensorsAfter: tensorsAfter,
        residentMemoryGrowthMB: Math.round((rssAfter - rssBefore) / 1024 ** 2),
      });
      expect(warmUp.failed).toBe(0);
      expect(result.failed).toBe(0);
      expect(texts).toBe(result.sent);
      expect(result.achievedRps).toBeGreaterThanOrEqual(RATE * 0.95);
      expect(result.p99Ms).toBeLessThan(latencyBound(150));
      expect(tensorsBefore).toBeGreaterThan(0);
      expect(tensorsAfter).toBe(tensorsBefore);
    });
});
