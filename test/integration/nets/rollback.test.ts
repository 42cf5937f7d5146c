import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNetsCli } from '../../../src/cli/nets.js';
import { initBackend } from '../../../src/nets/backend.js';
import type { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { publishNet } from '../../../src/nets/net-folder.js';
import { rollbackTarget } from '../../../src/nets/rollback.js';
import { type Gateway, startGateway } from '../../../src/server.js';
import { authHeaders, tempDir, testConfig } from '../../helpers/config.js';
import { ConsoleClient, operatorsConfig, signIn } from '../../helpers/console-client.js';
import { json } from '../../helpers/http.js';
import { trainToyClassifier } from '../../helpers/net-versions.js';
import { waitFor } from '../../helpers/wait.js';

// The gateway on a nets folder of its own: v1 trained by hand, v2 promoted from v1, v3 refused
// (trained from v2, never served), v4 promoted from v2 and in service.
const NET = 'bank-classifier';
let toy: ClassifierNet;
let root: string;
let gw: Gateway;

function publish(
  version: string,
  retraining: { fromVersion: string; decision: string } | null,
  current = false,
) {
  toy.meta.retraining = retraining
    ? {
        runId: 1,
        heldOutFraction: 0.2,
        valSplitSeed: 1,
        regressionSet: { file: 'test.csv', sha256: 'x', rows: 1 },
        ...retraining,
      }
    : undefined;
  publishNet(join(root, NET), version, toy.toFiles(), current);
}

beforeAll(async () => {
  await initBackend('wasm');
  toy = trainToyClassifier();
  root = tempDir('neurodesk-rollback-');
  publish('v1', null);
  publish('v2', { fromVersion: 'v1', decision: 'promoted' });
  publish('v3', { fromVersion: 'v2', decision: 'refused' });
  publish('v4', { fromVersion: 'v2', decision: 'promoted' }, true);
  gw = await startGateway(
    testConfig({
      NEURODESK_NETS_DIR: root,
      NEURODESK_RATE_LIMIT: '0',
      NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(),
    }),
  );
});
afterAll(async () => {
  await gw?.close();
  toy.dispose();
});

const current = () => readFileSync(join(root, NET, 'CURRENT'), 'utf8').trim();
const post = (path: string, body?: unknown, headers: Record<string, string> = authHeaders) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
const served = async () =>
  (await json(await post('/api/v1/classify', { text: 'where is my parcel' }))).net?.version as string;

describe('rollback', () => {
  it('npm run nets -- rollback NAME: CURRENT back to the version in service before, never a refused one; the gateway follows', async () => {
    expect(await served()).toBe('v4');
    let out = '';
    let err = '';
    const code = runNetsCli(
      ['rollback', NET, '--reason', 'customers complain about card answers', '--nets-dir', root],
      { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } },
      { USER: 'lead' },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^rolled back bank-classifier: CURRENT v4 → v2 \(logged in .*rollbacks\.jsonl\)/);
    expect(current()).toBe('v2');
    // The running gateway picks the switch up by its watch of CURRENT.
    await waitFor(async () => (await served()) === 'v2', 10_000);
    const log = readFileSync(join(root, NET, 'rollbacks.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(log[0]!)).toMatchObject({
      net: NET,
      from: 'v4',
      to: 'v2',
      by: 'cli:lead',
      reason: 'customers complain about card answers',
    });
  });

  it('POST /api/v1/admin/nets/:name/rollback: the same step, served at once, logged', async () => {
    const res = await post(`/api/v1/admin/nets/${NET}/rollback`, { reason: 'v2 still wrong' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ net: NET, from: 'v2', to: 'v1', by: 'admin-api', serving: 'v1' });
    expect(current()).toBe('v1');
    expect(await served()).toBe('v1');
    const list = await json(await fetch(`${gw.url}/api/v1/admin/nets/rollbacks`, { headers: authHeaders }));
    expect(list.rollbacks.map((r: { to: string }) => r.to)).toEqual(['v1', 'v2']);
  });

  it('answers 409 with the reason when there is nothing to go back to, and CURRENT stays', async () => {
    const res = await post(`/api/v1/admin/nets/${NET}/rollback`);
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toBe(
      'bank-classifier v1 has no earlier promoted version to go back to',
    );
    expect(current()).toBe('v1');
    let err = '';
    const code = runNetsCli(
      ['rollback', NET, '--nets-dir', root],
      { out: { write: () => 0 }, err: { write: (s: string) => (err += s) } },
      {},
    );
    expect(code).toBe(1);
    expect(err).toContain('rollback refused: bank-classifier v1 has no earlier promoted version');
  });

  it('refuses bad requests: 401 without the key, 404 for an unknown net, 400 for a bad body, 405 for GET; usage exit 2', async () => {
    expect((await post(`/api/v1/admin/nets/${NET}/rollback`, undefined, {})).status).toBe(401);
    const unknown = await post('/api/v1/admin/nets/no-such-net/rollback');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.message).toBe('no net "no-such-net" in the nets folder');
    const bad = await post(`/api/v1/admin/nets/${NET}/rollback`, { reason: 42 });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('validation_failed');
    expect(
      (await fetch(`${gw.url}/api/v1/admin/nets/${NET}/rollback`, { headers: authHeaders })).status,
    ).toBe(405);
    let err = '';
    expect(
      runNetsCli(['rollback'], { out: { write: () => 0 }, err: { write: (s: string) => (err += s) } }, {}),
    ).toBe(2);
    expect(err).toContain('usage:');
    expect(current()).toBe('v1');
  });

  it("shows the latest rollbacks with the console's stats", async () => {
    const cookie = await signIn(gw.url, 'ann');
    const ann = await ConsoleClient.connect(gw.url, cookie);
    try {
      const stats = await ann.request({ type: 'stats' });
      expect(stats.rollbacks).toMatchObject([
        { net: NET, from: 'v2', to: 'v1', reason: 'v2 still wrong' },
        { net: NET, from: 'v4', to: 'v2' },
      ]);
    } finally {
      ann.close();
    }
  });

  it('goes back from a version trained by hand to the newest older promoted one', () => {
    publish('v5', null, true);
    expect(rollbackTarget(join(root, NET))).toEqual({ from: 'v5', to: 'v4' });
  });
});
