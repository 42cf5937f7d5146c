import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { initBackend } from '../../../src/nets/backend.js';
import type { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { type Gateway, startGateway } from '../../../src/server.js';
import { authHeaders, tempDir, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';
import {
  DAMAGE_REASON,
  DAMAGES,
  promote,
  publishDamaged,
  publishGood,
  trainToyClassifier,
} from '../../helpers/net-versions.js';
import { sleep, waitFor } from '../../helpers/wait.js';

// The real gateway, its default net replaced by a tiny one in a nets folder of its own.
const NET = 'bank-classifier';
let toy: ClassifierNet;
let root: string;
let gw: Gateway;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  await initBackend('wasm');
  toy = trainToyClassifier();
  root = tempDir('neurodesk-nets-');
  publishGood(root, NET, 'v1', toy, true);
  publishGood(root, NET, 'v2', toy);
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  gw = await startGateway(testConfig({ NEURODESK_NETS_DIR: root, NEURODESK_RATE_LIMIT: '0' }), {
    logger: createLogger('info', sink),
  });
});
afterAll(async () => {
  await gw?.close();
  toy.dispose();
});

const post = (path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...authHeaders },
  });
const classify = async () => {
  const res = await post('/api/v1/classify', { text: 'where is my parcel' });
  return { status: res.status, version: (await json(res)).net?.version as string | undefined };
};
const failedReloads = async () => {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const m = /neurodesk_model_reloads_total\{net="bank-classifier",result="failed"\} (\d+)/.exec(text);
  return Number(m?.[1] ?? 0);
};
const tensors = async () => {
  const listing = await json(await fetch(`${gw.url}/api/v1/admin/nets`, { headers: authHeaders }));
  return listing.cache.reduce((n: number, c: { tensors: number }) => n + c.tensors, 0) as number;
};

/** Runs `during` while four clients classify back to back; returns every answer they got. */
async function underTraffic<T>(during: () => Promise<T>) {
  let done = false;
  const answers: Array<{ status: number; version: string | undefined }> = [];
  const client = async () => {
    while (!done) answers.push(await classify());
  };
  const clients = Array.from({ length: 4 }, client);
  try {
    return { result: await during(), answers };
  } finally {
    done = true;
    await Promise.all(clients);
  }
}

describe('hot reload of a net in service', () => {
  it('serves the version CURRENT names within 5 s of it being replaced, without a restart', async () => {
    expect(await classify()).toEqual({ status: 200, version: 'v1' });
    const { result: seconds, answers } = await underTraffic(async () => {
      const started = performance.now();
      promote(root, NET, 'v2');
      await waitFor(async () => (await classify()).version === 'v2', 5000, 'v2 to be served');
      return (performance.now() - started) / 1000;
    });
    expect(seconds).toBeLessThan(5);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'model_reloaded', version: 'v2', previous: 'v1' }),
    );
  });

  for (const damage of DAMAGES) {
    it(`keeps the old version serving through a version with ${damage}, and every request succeeds`, async () => {
      const version = `bad-${damage.replace(/\W+/g, '-')}`;
      publishDamaged(root, NET, version, toy, damage);
      const failuresBefore = await failedReloads();
      const { result: res, answers } = await underTraffic(async () => {
        promote(root, NET, version);
        const r = await post(`/api/v1/admin/nets/${NET}/reload`);
        await sleep(150); // the file watch sees the rename too
        return r;
      });
      expect(res.status).toBe(422);
      const body = await json(res);
      expect(body.error.code).toBe('net_rejected');
      expect(body.error.details).toMatchObject({ net: NET, version, serving: 'v2' });
      expect(body.error.details.reason).toMatch(DAMAGE_REASON[damage]);
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every((a) => a.status === 200 && a.version === 'v2')).toBe(true);
      expect(await failedReloads()).toBeGreaterThan(failuresBefore);
      const logged = logs.find((l) => l.msg === 'model_reload_failed' && l.version === version);
      expect(logged).toMatchObject({ net: NET, serving: 'v2' });
      expect(logged?.reason).toMatch(DAMAGE_REASON[damage]);
      promote(root, NET, 'v2'); // rollback: point CURRENT back
    });
  }

  it('lists the nets, their versions, the one in service, memory and load time', async () => {
    const res = await fetch(`${gw.url}/api/v1/admin/nets`, { headers: authHeaders });
    expect(res.status).toBe(200);
    const listing = await json(res);
    expect(listing.threads).toBe(gw.nets.executor.threads);
    const net = listing.nets.find((n: { name: string }) => n.name === NET);
    expect(net).toMatchObject({
      kind: 'classifier',
      state: 'ready',
      current: 'v2',
      inService: {
        version: 'v2',
        memoryBytes: toy.bytes,
        loadMs: expect.any(Number),
        since: expect.any(String),
      },
    });
    expect(net.versions.map((v: { version: string }) => v.version)).toEqual(
      expect.arrayContaining(['v1', 'v2', 'bad-NaN-weight']),
    );
    expect(net.versions.find((v: { version: string }) => v.version === 'v2')).toMatchObject({
      current: true,
      inService: true,
      memoryBytes: toy.bytes,
    });
    expect(net.lastFailure.reason).toMatch(DAMAGE_REASON['NaN weight']);
    // What every instance on this database serves: here the one process, serving v2.
    expect(listing.instances).toEqual([
      expect.objectContaining({
        self: true,
        pid: expect.any(Number),
        nets: expect.objectContaining({ [NET]: 'v2' }),
      }),
    ]);
    expect(net.servedBy).toEqual([{ instance: listing.instances[0].id, version: 'v2' }]);
  });

  it('rolls back when CURRENT points to the earlier version again', async () => {
    promote(root, NET, 'v1');
    await waitFor(async () => (await classify()).version === 'v1', 5000, 'v1 to be served again');
    const res = await post(`/api/v1/admin/nets/${NET}/reload`);
    expect(await json(res)).toMatchObject({ net: NET, version: 'v1', changed: false });
  });

  it('holds no more tensors after many requests and failed reloads than before them', async () => {
    const before = await tensors();
    await underTraffic(async () => {
      for (let i = 0; i < 3; i++) {
        promote(root, NET, 'bad-flipped-byte');
        expect((await post(`/api/v1/admin/nets/${NET}/reload`)).status).toBe(422);
        promote(root, NET, 'v1');
      }
      await sleep(200);
    });
    expect(await tensors()).toBe(before);
  });

  it('answers 404 for a reload of a net that is not in the nets folder', async () => {
    const res = await post('/api/v1/admin/nets/no-such-net/reload');
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});
