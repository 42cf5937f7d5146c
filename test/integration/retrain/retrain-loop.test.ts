import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { type Gateway, startGateway } from '../../../src/server.js';
import { RETRAIN_EXIT, runRetrainCli } from '../../../training/retrain/cli.js';
import { authHeaders, testConfig } from '../../helpers/config.js';
import { ConsoleClient, operatorsConfig, signIn } from '../../helpers/console-client.js';
import { json } from '../../helpers/http.js';
import { KeywordSuggester } from '../../helpers/keyword-nets.js';
import { makeRetrainFixture, NEW_CATEGORY, type RetrainFixture } from '../../helpers/retrain-fixture.js';
import { sleep, waitFor } from '../../helpers/wait.js';

// The whole loop on a running gateway: operators label a category the net has never seen,
// the retraining learns it and switches CURRENT, and the gateway's nets runtime (file watch
// and poll of CURRENT, inference in a worker thread) serves the new version without a restart
// or any call; then a useless version (shuffled labels) is refused and never served while the
// good one keeps serving. The net is small (five BANKING77 categories) so the loop takes seconds.

let fx: RetrainFixture;
let gw: Gateway;
let ann: ConsoleClient;
const logs: Array<Record<string, unknown>> = [];
// The default gate, written out: worse beyond chance at 95 %, categories of ≥ 10 texts tested alone, no hard floor.
const GATE_ENV = { NEURODESK_RETRAIN_CONFIDENCE: '0.95', NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT: '10' };

beforeAll(async () => {
  fx = await makeRetrainFixture();
  gw = await startGateway(
    testConfig({
      NEURODESK_DATA_DIR: fx.dataDir,
      NEURODESK_NETS_DIR: fx.netsDir,
      NEURODESK_BOTS_DIR: fx.botsDir,
      NEURODESK_CLASSIFIER_NET: fx.netName,
      NEURODESK_WORKER_POLL: '10ms',
      NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(),
      NEURODESK_NET_WORKERS: '1',
      NEURODESK_NETS_POLL: '250ms',
      ...GATE_ENV,
    }),
    {
      env: {},
      suggester: new KeywordSuggester(),
      logger: createLogger(
        'info',
        new Writable({
          write(chunk, _enc, cb) {
            logs.push(JSON.parse(String(chunk)));
            cb();
          },
        }),
      ),
    },
  );
  ann = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'ann'));
});
afterAll(async () => {
  ann?.close();
  await gw?.close();
});

async function classify(text: string): Promise<{ category: string; net: { version: string } }> {
  const res = await fetch(`${gw.url}/api/v1/classify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders },
    body: JSON.stringify({ text }),
  });
  expect(res.status).toBe(200);
  return json(res);
}

async function retrain(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { out: { write: (t: string) => (out += t) }, err: { write: () => {} } };
  const code = await runRetrainCli(['classifier', '--bot', 'desk', '--backend', 'wasm', ...args], io, {
    NEURODESK_DATA_DIR: fx.dataDir,
    NEURODESK_NETS_DIR: fx.netsDir,
    NEURODESK_BOTS_DIR: fx.botsDir,
    ...GATE_ENV,
  });
  return { code, out };
}

/** How many of the probes (texts of the new category nobody labelled) the gateway puts in it. */
async function probeHits(): Promise<number> {
  let hits = 0;
  for (const text of fx.probeTexts) if ((await classify(text)).category === NEW_CATEGORY) hits++;
  return hits;
}

const reloads = (version: string) =>
  logs.filter(
    (l) => (l.msg === 'model_reloaded' || l.msg === 'model_reload_failed') && l.version === version,
  );

describe('the retraining loop on a running gateway', () => {
  let promoted: string;

  it('learns a category operators introduced through the console and serves it without a restart', async () => {
    expect((await classify(fx.probeTexts[0]!)).net.version).toBe('v1');
    for (const [i, text] of fx.newTexts.entries()) {
      const res = await fetch(`${gw.url}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders },
        body: JSON.stringify({ text, bot: 'desk', external_id: `close-${i}` }),
      });
      const ticket = await json(res);
      expect(ticket.category).not.toBe(NEW_CATEGORY);
      // A category the net does not know is created explicitly; a plain correction is refused.
      await ann.request({
        type: 'new_category',
        conversationId: ticket.conversation_id,
        category: NEW_CATEGORY,
      });
    }

    const run = await retrain();
    expect(run.code).toBe(RETRAIN_EXIT.ok);
    promoted = /PROMOTED: (\S+) replaces v1 in service/.exec(run.out)![1]!;
    expect(readFileSync(join(fx.netsDir, fx.netName, 'CURRENT'), 'utf8').trim()).toBe(promoted);

    // Nobody tells the gateway: its watch of CURRENT loads, checks and swaps the new version.
    const started = performance.now();
    await waitFor(
      async () => (await classify(fx.probeTexts[0]!)).net.version === promoted,
      5000,
      `${promoted} in service`,
    );
    expect(performance.now() - started).toBeLessThan(5000);
    expect(reloads(promoted)).toEqual([
      expect.objectContaining({ msg: 'model_reloaded', net: fx.netName, previous: 'v1' }),
    ]);
    expect(await probeHits()).toBeGreaterThanOrEqual(fx.probeTexts.length * 0.7);
  });

  it('refuses a version trained on shuffled labels, and the promoted one keeps serving', async () => {
    const run = await retrain('--shuffle-labels');
    expect(run.code).toBe(RETRAIN_EXIT.refused);
    const refused = /REFUSED: (\S+) is kept on disk/.exec(run.out)![1]!;
    expect(existsSync(join(fx.netsDir, fx.netName, refused, 'manifest.json'))).toBe(true);
    expect(readFileSync(join(fx.netsDir, fx.netName, 'CURRENT'), 'utf8').trim()).toBe(promoted);
    // Several polls later the refused version has never been loaded, let alone served.
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      seen.add((await classify(fx.probeTexts[i % fx.probeTexts.length]!)).net.version);
      await sleep(100);
    }
    expect([...seen]).toEqual([promoted]);
    expect(reloads(refused)).toEqual([]);
    const listing = await json(await fetch(`${gw.url}/api/v1/admin/nets`, { headers: authHeaders }));
    const net = listing.nets.find((n: { name: string }) => n.name === fx.netName);
    expect(net).toMatchObject({ current: promoted, inService: { version: promoted } });
    expect(net.versions.find((v: { version: string }) => v.version === refused)).toMatchObject({
      current: false,
      inService: false,
      memoryBytes: null, // never loaded into any inference thread
    });
    expect(await probeHits()).toBeGreaterThanOrEqual(fx.probeTexts.length * 0.7);
  });

  it('lists both runs with their decision and serves reports that name it', async () => {
    const list = await json(
      await fetch(`${gw.url}/api/v1/admin/training-runs?bot=desk`, { headers: authHeaders }),
    );
    const [refused, good] = list.runs;
    expect(good).toMatchObject({ decision: 'promoted', old_version: 'v1', new_version: promoted });
    expect(refused).toMatchObject({ decision: 'refused', old_version: promoted });
    for (const r of [good, refused]) {
      const page = await fetch(`${gw.url}${r.report_url}`, { headers: authHeaders });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`data-decision="${r.decision}"`);
    }
    const stats = await ann.request({ type: 'stats' });
    expect(stats.latestReport).toBe(`/console/reports/${refused.id}`);
  });
});
