import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateNet } from '../../../src/nets/net-folder.js';
import { type Gateway, startGateway } from '../../../src/server.js';
import { authHeaders, testConfig } from '../../helpers/config.js';
import { CHANNEL_ENV, row } from '../../helpers/gateway.js';
import { json } from '../../helpers/http.js';
import { KeywordSuggester } from '../../helpers/keyword-nets.js';

// The default bot's classifier is the committed net (no classifier injected); answers still
// come from the keyword stand-in until the Q/A net exists.
let gw: Gateway;
const current = locateNet('nets/bank-classifier');

beforeAll(async () => {
  gw = await startGateway(testConfig({ NEURODESK_WORKER_POLL: '10ms' }), {
    env: CHANNEL_ENV,
    suggester: new KeywordSuggester(),
  });
});
afterAll(async () => {
  await gw.close();
});

describe('the pipeline with the default classifier net', () => {
  it('classifies a ticket with the net and stores the prediction with its name and version', async () => {
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: 'POST',
      body: JSON.stringify({
        text: 'I ordered a card two weeks ago and it still has not arrived',
        external_id: 'N-1',
      }),
      headers: { 'content-type': 'application/json', ...authHeaders },
    });
    expect(res.status).toBe(201);
    const ticket = await json(res);
    expect(ticket.category).toBe('card_arrival');
    const p = row(gw, "SELECT * FROM predictions WHERE kind = 'classify' ORDER BY id DESC LIMIT 1");
    expect(p).toMatchObject({
      net_name: 'bank-classifier',
      net_version: current.version,
      label: 'card_arrival',
    });
    expect(p.confidence).toBeCloseTo(ticket.confidence, 6);
    expect(gw.nets.served('bank-classifier')?.ref.version).toBe(current.version);
  });
});
