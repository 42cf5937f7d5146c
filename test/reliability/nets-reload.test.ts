import { cpSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNetFiles } from '../../src/nets/net-folder.js';
import { parseCsv } from '../../training/data.js';
import { authHeaders, tempDir } from '../helpers/config.js';
import { liveTensors, netState, reloadsCounted } from '../helpers/net-stats.js';
import { type Damage, promote, publishDamaged } from '../helpers/net-versions.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, percentile, recordFigures, scaled } from '../helpers/reliability.js';
import { sleep, waitFor } from '../helpers/wait.js';

// The gateway as `npm start` runs it, serving a copy of the committed nets folder; damaged
// versions of nets/bank-classifier are written beside the good one and CURRENT is pointed at
// each while customers' questions keep coming. The watch on CURRENT notices each one.
const NET = 'bank-classifier';
const RATE = scaled(50, 25);
// How each damage must be refused (the reason in the log, the listing and the 422).
const CASES: Array<{ damage: Damage; reason: RegExp }> = [
  { damage: 'truncated weights', reason: /weights\.bin is \d+ bytes, the manifest says \d+ \(truncated\?\)/ },
  { damage: 'flipped byte', reason: /weights\.bin does not match its SHA-256/ },
  { damage: 'checksum mismatch', reason: /meta\.json does not match its SHA-256/ },
  { damage: 'wrong-shape topology', reason: /weight conv\/\w+ has shape .*, expected/ },
  { damage: 'changed golden label', reason: /canary: 1 of \d+ golden inputs changed label/ },
  { damage: 'NaN weight', reason: /classify: output \d+ is NaN \(not finite\)/ },
];
const TEXTS = parseCsv(readFileSync('training/data/banking77/test.csv', 'utf8'))
  .slice(1)
  .map((r) => r[0]!);

let gw: GatewayProcess;
let root: string;
let good: string;

beforeAll(async () => {
  root = tempDir('neurodesk-nets-reload-');
  cpSync('nets', root, { recursive: true });
  good = readFileSync(join(root, NET, 'CURRENT'), 'utf8').trim();
  gw = await spawnGateway(
    'src/main.ts',
    // Nothing here talks to a platform: the platforms' URLs point at a closed loopback port.
    gatewayEnv(tempDir('neurodesk-nets-reload-data-'), 'http://127.0.0.1:9', { NEURODESK_NETS_DIR: root }),
    60_000,
  );
});
afterAll(async () => {
  gw?.child.kill('SIGTERM');
  await gw?.exited;
});

interface Answer {
  status: number;
  version: string | null;
  ms: number;
}

/** Classifies at a fixed rate until stopped; every answer's status, version and latency. */
function classifyTraffic(url: string, rate: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const answers: Answer[] = [];
  const inFlight = new Set<Promise<void>>();
  let i = 0;
  const send = () => {
    const body = JSON.stringify({ text: TEXTS[i++ % TEXTS.length] });
    const started = performance.now();
    const p = new Promise<void>((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: '/api/v1/classify',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...authHeaders,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let version: string | null = null;
            try {
              version = JSON.parse(text).net?.version ?? null;
            } catch {}
            answers.push({ status: res.statusCode ?? 0, version, ms: performance.now() - started });
            resolve();
          });
        },
      );
      req.on('error', () => {
        answers.push({ status: 0, version: null, ms: performance.now() - started });
        resolve();
      });
      req.end(body);
    });
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };
  const timer = setInterval(send, 1000 / rate);
  return {
    answers,
    async stop(): Promise<Answer[]> {
      clearInterval(timer);
      await Promise.all(inFlight);
      agent.destroy();
      return answers;
    },
  };
}

describe('broken net files flipped in under traffic', () => {
  it('keep the version in service: no request fails, each refusal is logged and counted, and a good version after them is served', async () => {
    const files = readNetFiles(join(root, NET, good));
    const tensorsBefore = await liveTensors(gw.url);
    const traffic = classifyTraffic(gw.url, RATE);
    const started = performance.now();
    let tensorsAfterRefusals = -1;
    try {
      await sleep(1000);
      for (const [n, { damage, reason }] of CASES.entries()) {
        const failedBefore = await reloadsCounted(gw.url, NET, 'failed');
        const version = `broken-${n}`;
        publishDamaged(root, NET, version, files, damage);
        promote(root, NET, version);
        // The watch on CURRENT tries it and refuses it; the counter says so.
        await waitFor(
          async () => (await reloadsCounted(gw.url, NET, 'failed')) > failedBefore,
          15_000,
          `the reload of a version with ${damage} to be counted as failed`,
        );
        const state = await netState(gw.url, NET);
        expect(state.version, damage).toBe(good);
        expect(state.lastFailure, damage).toMatch(reason);
        // Asked by an operator, the same version is refused with its reason, the old one serving.
        const res = await fetch(`${gw.url}/api/v1/admin/nets/${NET}/reload`, {
          method: 'POST',
          headers: authHeaders,
        });
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(res.status, damage).toBe(422);
        expect(body.error.code).toBe('net_rejected');
        expect(body.error.message).toMatch(reason);
        await sleep(500);
      }
      // Refused versions leave nothing behind (before a good new version is cached beside the old).
      tensorsAfterRefusals = await liveTensors(gw.url);
      // Back to the good version, then a good new one: served under the same traffic.
      promote(root, NET, good);
      cpSync(join(root, NET, good), join(root, NET, 'good-copy'), { recursive: true });
      promote(root, NET, 'good-copy');
      await waitFor(
        async () => (await netState(gw.url, NET)).version === 'good-copy',
        15_000,
        'the good copy to be served',
      );
      await sleep(1000);
    } finally {
      await traffic.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const answers = traffic.answers;
    const failed = answers.filter((a) => a.status !== 200);
    const versions = new Set(answers.map((a) => a.version));
    const logged = gw
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"model_reload_failed"'))
      .map((l) => JSON.parse(l) as { version: string; serving: string; reason: string });
    recordFigures('nets-reload', {
      net: `${NET}@${good}`,
      damagedVersions: CASES.length,
      ratePerS: RATE,
      seconds: Math.round(seconds),
      requests: answers.length,
      failed: failed.length,
      failedReloadsCounted: await reloadsCounted(gw.url, NET, 'failed'),
      failedReloadsLogged: logged.length,
      latencyP99Ms:
        Math.round(
          percentile(
            answers.map((a) => a.ms),
            99,
          ) * 10,
        ) / 10,
      latencyMaxMs:
        Math.round(
          percentile(
            answers.map((a) => a.ms),
            100,
          ) * 10,
        ) / 10,
      liveTensorsBefore: tensorsBefore,
      liveTensorsAfterRefusals: tensorsAfterRefusals,
    });
    expect(failed).toEqual([]);
    // Every answer came from the good version or, at the end, its good copy; none from a broken one.
    expect([...versions].sort()).toEqual([good, 'good-copy'].sort());
    // Each broken version refused once by the watch and once by the operator, each logged with its reason.
    expect(await reloadsCounted(gw.url, NET, 'failed')).toBe(CASES.length * 2);
    for (const [n, { damage, reason }] of CASES.entries()) {
      const lines = logged.filter((l) => l.version === `broken-${n}`);
      expect(lines.length, damage).toBe(2);
      for (const l of lines) {
        expect(l.serving).toBe(good);
        expect(l.reason).toMatch(reason);
      }
    }
    expect(tensorsAfterRefusals).toBe(tensorsBefore);
  });
});
