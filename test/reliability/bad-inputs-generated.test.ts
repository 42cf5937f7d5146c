import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequests } from '../helpers/bad-requests.js';
import type { Endpoint } from '../helpers/endpoints.js';
import {
  type BadInputGateway,
  expectRefusal,
  expectValidSucceeds,
  send,
  startBadInputGateway,
  storedMarks,
} from '../helpers/refusals.js';
import { recordFigures, scaled } from '../helpers/reliability.js';

const RUNS = scaled(10_000, 300);
const SEED = 20261128;
const BODY_LIMIT = 16 * 1024;

let b: BadInputGateway;

beforeAll(async () => {
  b = await startBadInputGateway(BODY_LIMIT);
});
afterAll(async () => {
  await b?.close();
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
    const index = b.endpoints.findIndex((x) => x.name === name);
    const e = b.endpoints[index]!;
    let n = 1_000_000 * (index + 1);
    const fresh = () => n++;
    const kinds: Record<string, number> = {};
    let runs = 0;
    let probes = 0;
    const probe = async () => {
      await expectValidSucceeds(b, e, fresh());
      probes++;
    };
    await fc.assert(
      fc.asyncProperty(badRequests(e, BODY_LIMIT, fresh), async (bad) => {
        const before = storedMarks(b.gw, b.replyConversation);
        const answer = await send(b.gw.url, bad.request);
        expectRefusal(answer, bad.status, bad.codes);
        expect(storedMarks(b.gw, b.replyConversation)).toBe(before);
        const kind = bad.kind.replace(/^(\S+) of the wrong type$/, 'a field of the wrong type');
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        if (++runs % probeEvery(e) === 0) await probe();
      }),
      { numRuns: RUNS, seed: SEED + index, endOnFailure: true },
    );
    await probe();
    expect(Object.prototype).not.toHaveProperty('polluted');
    recordFigures(`bad-inputs-generated-${name}`, {
      bodies: runs,
      validRequestsAfter: probes,
      seed: SEED + index,
      ...Object.fromEntries(Object.entries(kinds).map(([k, v]) => [`kind: ${k}`, v])),
    });
  });
});
