import { cpSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateNet } from '../../../src/nets/net-folder.js';
import { type Gateway, startGateway } from '../../../src/server.js';
import { authHeaders, tempDir, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';

let gw: Gateway;
const current = locateNet('nets/bank-classifier');

beforeAll(async () => {
  gw = await startGateway(testConfig());
});
afterAll(async () => {
  await gw.close();
});

const classify = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/api/v1/classify`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...authHeaders, ...headers },
  });

describe('POST /api/v1/classify with the default net', () => {
  it('answers the category, calibrated confidence, top-k and the net that decided', async () => {
    const res = await classify({
      text: 'I still have not received my new card, I ordered it over a week ago.',
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.category).toBe('card_arrival');
    expect(body.confidence).toBeGreaterThan(0.5);
    expect(body.confidence).toBeLessThanOrEqual(1);
    expect(typeof body.unsure).toBe('boolean');
    expect(body.top).toHaveLength(3);
    expect(body.top[0]).toEqual({ category: body.category, confidence: body.confidence });
    expect(body.net).toEqual({ name: 'bank-classifier', version: current.version });
  });

  it('returns as many runners-up as asked for with k', async () => {
    const body = await json(await classify({ text: 'What is the exchange rate for euros?', k: 5 }));
    expect(body.top).toHaveLength(5);
    expect(body.category).toBe('exchange_rate');
  });

  it('refuses an empty or blank text with 400 in the error envelope', async () => {
    for (const text of ['', '   \n']) {
      const res = await classify({ text });
      expect(res.status).toBe(400);
      expect((await json(res)).error).toMatchObject({
        code: 'validation_failed',
        message: 'text must not be empty',
      });
    }
  });

  it('refuses wrong types and a missing text key with 400', async () => {
    const wrong = await classify({ text: 42 });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).error).toMatchObject({
      code: 'validation_failed',
      message: 'text must be a string',
    });
    const missing = await classify({ message: 'hello' });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error).toMatchObject({
      code: 'validation_failed',
      message: 'text is required',
    });
    const notObject = await classify('["text"]');
    expect(notObject.status).toBe(400);
    expect((await json(notObject)).error.code).toBe('validation_failed');
    const badK = await classify({ text: 'card', k: 0 });
    expect(badK.status).toBe(400);
  });

  it('refuses malformed JSON, other media types and missing credentials', async () => {
    expect((await classify('{"text": ')).status).toBe(400);
    expect((await classify({ text: 'hi' }, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await classify({ text: 'hi' }, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('classifies Cyrillic, emoji and a long text without failing', async () => {
    for (const text of ['Где моя карта? 😡', 'card '.repeat(40_000)]) {
      const res = await classify({ text });
      expect(res.status).toBe(200);
      expect(typeof (await json(res)).category).toBe('string');
    }
  });

  it('shows the backend and net in /readyz and /metrics', async () => {
    const ready = await json(await fetch(`${gw.url}/readyz`));
    expect(ready).toMatchObject({
      status: 'ready',
      checks: { classifier: 'ok' },
      tfBackend: gw.tfBackend,
      nets: { classifier: { name: 'bank-classifier', version: current.version } },
    });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain(`neurodesk_tf_backend_info{backend="${gw.tfBackend}"} 1`);
    expect(metrics).toMatch(
      /neurodesk_predictions_total\{kind="classify",net="bank-classifier",version="[^"]+",unsure="(true|false)"\} \d+/,
    );
  });
});

describe('a gateway whose classifier cannot load', () => {
  it('stays up, answers /readyz 503 with the reason, and classify 503', async () => {
    const nets = tempDir('neurodesk-nets-');
    cpSync('nets/bank-classifier', join(nets, 'bank-classifier'), { recursive: true });
    truncateSync(join(nets, 'bank-classifier', current.version, 'weights.bin'), 10);
    const broken = await startGateway(testConfig({ NEURODESK_NETS_DIR: nets }));
    try {
      const ready = await fetch(`${broken.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await json(ready)).checks.classifier).toMatch(/failed to load: .*weights\.bin is 10 bytes/);
      const res = await fetch(`${broken.url}/api/v1/classify`, {
        method: 'POST',
        body: JSON.stringify({ text: 'card' }),
        headers: { 'content-type': 'application/json', ...authHeaders },
      });
      expect(res.status).toBe(503);
      expect((await json(res)).error.code).toBe('not_ready');
    } finally {
      await broken.close();
    }
  });
});
