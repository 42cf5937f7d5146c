import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../../src/server.js';
import { jsonBody } from '../../../src/transport/http/body.js';
import { clientErrorOf } from '../../../src/transport/http/raw-error.js';
import { authHeaders, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';
import { rawExchange } from '../../helpers/raw-http.js';

let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway(testConfig({ NEURODESK_BODY_LIMIT: '1kb' }), {
    mounts: [
      ({ api }) => {
        api.post('/echo', jsonBody(1024), (req, res) => {
          res.json({ received: req.body });
        });
      },
    ],
  });
});
afterAll(async () => {
  await gw.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...authHeaders, ...headers },
  });

describe('http basics', () => {
  it('answers /healthz with 200', async () => {
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers /readyz with the database check', async () => {
    const res = await fetch(`${gw.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
  });

  it('serves Prometheus metrics with per-route counts', async () => {
    await fetch(`${gw.url}/healthz`);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/neurodesk_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toContain('neurodesk_http_request_duration_seconds_bucket');
  });

  it('answers 404 and 405 in the error envelope', async () => {
    const missing = await fetch(`${gw.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({
      error: { code: 'not_found', message: 'no route for GET /nowhere' },
    });
    const wrongMethod = await fetch(`${gw.url}/healthz`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect((await json(wrongMethod)).error.code).toBe('method_not_allowed');
  });
});

describe('api key', () => {
  it('answers 401 without a key, with a wrong key and with a malformed header alike', async () => {
    const bodies = [];
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(`${gw.url}/api/v1/echo`, { method: 'POST', headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      bodies.push(await res.text());
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({
      error: { code: 'unauthorized', message: 'authentication required' },
    });
  });

  it('lets a request with the right key through', async () => {
    const res = await post('/api/v1/echo', '{"text":"hello"}');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: { text: 'hello' } });
  });
});

describe('request bodies', () => {
  it('answers 400 for malformed JSON', async () => {
    const res = await post('/api/v1/echo', '{"text": ');
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.message).toMatch(/malformed JSON/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts/);
  });

  it('answers 400 for invalid UTF-8, deep nesting and __proto__ keys', async () => {
    const invalidUtf8 = await fetch(`${gw.url}/api/v1/echo`, {
      method: 'POST',
      body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      headers: { 'content-type': 'application/json', ...authHeaders },
    });
    expect(invalidUtf8.status).toBe(400);
    expect((await json(invalidUtf8)).error.message).toMatch(/UTF-8/);
    const deep = await post('/api/v1/echo', `${'['.repeat(100)}${']'.repeat(100)}`);
    expect(deep.status).toBe(400);
    expect((await json(deep)).error.message).toMatch(/nested deeper/);
    const proto = await post('/api/v1/echo', '{"a":{"__proto__":{"admin":true}}}');
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(2000) });
    const declared = await post('/api/v1/echo', big);
    expect(declared.status).toBe(413);
    expect((await json(declared)).error.code).toBe('payload_too_large');

    // Chunked: no Content-Length, so the limit is enforced while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const { port } = gw.server.address() as AddressInfo;
      const req = request(
        {
          port,
          host: '127.0.0.1',
          path: '/api/v1/echo',
          method: 'POST',
          headers: { ...authHeaders, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(big.slice(0, 700));
      req.end(big.slice(700));
    });
    expect(status).toBe(413);
  });

  it('answers 415 for a wrong content type', async () => {
    const res = await post('/api/v1/echo', 'text=hi', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(415);
    expect((await json(res)).error).toEqual({
      code: 'unsupported_media_type',
      message: 'content type must be application/json, got application/x-www-form-urlencoded',
    });
  });

  it('keeps serving after bad requests', async () => {
    await post('/api/v1/echo', '{');
    const res = await post('/api/v1/echo', '{"ok":true}');
    expect(res.status).toBe(200);
  });
});

describe('requests the HTTP parser refuses', () => {
  const host = () => new URL(gw.url).host;
  const head = (extra: string[]) =>
    [
      'POST /api/v1/echo HTTP/1.1',
      `Host: ${host()}`,
      'Content-Type: application/json',
      `Authorization: ${authHeaders.authorization}`,
      ...extra,
    ].join('\r\n');
  const envelope = (r: { responses: Array<{ status: number; body: string }> }) =>
    r.responses.map((x) => [x.status, JSON.parse(x.body)]);
  const malformed = { error: { code: 'bad_request', message: 'malformed HTTP request' } };

  it('answers them in the error envelope and closes the connection', async () => {
    // A body longer than its Content-Length: the rest is read as a request and is garbage.
    const lying = await rawExchange(gw.url, [`${head(['Content-Length: 5'])}\r\n\r\n{"ok":true}`]);
    expect(envelope(lying)).toEqual([[400, malformed]]);
    expect(lying.closedByServer).toBe(true);
    // Content-Length and Transfer-Encoding together: a request smuggling attempt.
    const both = await rawExchange(gw.url, [
      `${head(['Content-Length: 4', 'Transfer-Encoding: chunked'])}\r\n\r\n4\r\n{}{}\r\n0\r\n\r\n`,
    ]);
    expect(envelope(both)).toEqual([[400, malformed]]);
    // A body cut short: the client closes its side before sending what it announced.
    const short = await rawExchange(gw.url, [`${head(['Content-Length: 500'])}\r\n\r\n{"ok"`], { end: true });
    expect(envelope(short)).toEqual([[400, malformed]]);
    const big = await rawExchange(gw.url, [`${head([`X-Padding: ${'a'.repeat(20_000)}`])}\r\n\r\n`]);
    expect(envelope(big)).toEqual([
      [431, { error: { code: 'headers_too_large', message: 'request headers are too large' } }],
    ]);
    const garbage = await rawExchange(gw.url, ['\x16\x03\x01\x02\x00 not http\r\n\r\n']);
    expect(envelope(garbage)).toEqual([[400, malformed]]);
  });

  it('answers a request too slow to arrive with 408 in the envelope', () => {
    const timeout = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    expect(clientErrorOf(timeout)).toEqual({
      code: 'request_timeout',
      message: 'the request was not received in time',
    });
  });
});
