import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { badRequests } from '../helpers/bad-requests.js';
import { authHeaders } from '../helpers/config.js';
import { operatorsConfig } from '../helpers/console-client.js';
import { type Endpoint, endpoints } from '../helpers/endpoints.js';
import { startTestGateway } from '../helpers/gateway.js';
import { bitrixInstall, postBitrix } from '../helpers/platforms.js';
import { expectRefusal, send, storedMarks } from '../helpers/refusals.js';
import { recordFigures, scaled } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';

const RUNS = scaled(10_000, 300);
const SEED = 20261128;
const BODY_LIMIT = 16 * 1024;

let api: PlatformStandIn;
let gw: Gateway;
let list: Endpoint[];
let replyConversation: number;

beforeAll(async () => {
  api = await PlatformStandIn.start((r) =>
    r.path.startsWith('/rest/')
      ? { body: { result: 1 } }
      : { body: { ok: true, id: 1, result: { message_id: 1 } } },
  );
  gw = await startTestGateway({
    standIn: api,
    config: {
      NEURODESK_RATE_LIMIT: '0',
      NEURODESK_BODY_LIMIT: `${BODY_LIMIT}b`,
      NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(),
    },
  });
  expect((await postBitrix(gw, bitrixInstall(`${api.url}/rest/`))).status).toBe(200);
  const ticket = await fetch(`${gw.url}/api/v1/tickets`, {
    method: 'POST',
    body: JSON.stringify({ text: 'my card has not arrived', callback_url: `${api.url}/crm` }),
    headers: { 'content-type': 'application/json', ...authHeaders },
  });
  replyConversation = ((await ticket.json()) as { conversation_id: number }).conversation_id;
  list = endpoints({ standInUrl: api.url, replyConversation });
});
afterAll(async () => {
  await gw?.close();
  await api?.close();
});

// A valid sign-in costs a password hash (tens of ms): it is checked after every 50th bad body there.
const probeEvery = (e: Endpoint) => (e.name === 'console-sign-in' ? 50 : 1);

describe.each([
  'telegram',
  'slack',
  'chatwoot',
  'bitrix24',
  'rest-tickets',
  'rest-replies',
  'console-sign-in',
])('generated bad bodies to %s', (name) => {
  it(`are refused, ${RUNS} of them, each with its 4xx in the envelope and nothing stored, and the next valid request succeeds`, async () => {
    const e = list.find((x) => x.name === name)!;
    let n = 1_000_000 * (list.indexOf(e) + 1);
    const fresh = () => n++;
    const kinds: Record<string, number> = {};
    let runs = 0;
    let probes = 0;
    const probe = async () => {
      const before = storedMarks(gw, replyConversation);
      const body = e.encode(e.payload(fresh()));
      const ok = await send(gw.url, {
        path: e.path,
        headers: { 'content-type': e.contentType, ...e.auth(body) },
        body,
      });
      expect(ok.status, ok.body).toBeLessThan(300);
      expect(storedMarks(gw, replyConversation)).not.toBe(before);
      probes++;
    };
    await fc.assert(
      fc.asyncProperty(badRequests(e, BODY_LIMIT, fresh), async (bad) => {
        const before = storedMarks(gw, replyConversation);
        const answer = await send(gw.url, bad.request);
        expectRefusal(answer, bad.status, bad.codes);
        expect(storedMarks(gw, replyConversation)).toBe(before);
        const kind = bad.kind.replace(/^(\S+) of the wrong type$/, 'a field of the wrong type');
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        if (++runs % probeEvery(e) === 0) await probe();
      }),
      { numRuns: RUNS, seed: SEED + list.indexOf(e), endOnFailure: true },
    );
    await probe();
    expect(Object.prototype).not.toHaveProperty('polluted');
    recordFigures(`bad-inputs-generated-${name}`, {
      bodies: runs,
      validRequestsAfter: probes,
      seed: SEED + list.indexOf(e),
      ...Object.fromEntries(Object.entries(kinds).map(([k, v]) => [`kind: ${k}`, v])),
    });
  });
});
