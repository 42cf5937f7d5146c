import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { authHeaders } from '../helpers/config.js';
import { counts, row, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { PlatformStandIn } from '../helpers/stand-in.js';

let crm: PlatformStandIn;
let gw: Gateway;

const postTicket = (body: unknown, headers: Record<string, string> = authHeaders) =>
  fetch(`${gw.url}/api/v1/tickets`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

beforeAll(async () => {
  crm = await PlatformStandIn.start();
  gw = await startTestGateway({ standIn: crm });
});
afterAll(async () => {
  await gw.close();
  await crm.close();
});

describe('REST tickets', () => {
  it('classifies a ticket at once and answers with the automatic reply', async () => {
    const res = await postTicket({
      text: 'My new card has not arrived',
      customer: { id: 'c-1', name: 'Ann' },
      external_id: 'CRM-1',
    });
    expect(res.status).toBe(201);
    const t = await json(res);
    expect(res.headers.get('location')).toBe(`/api/v1/tickets/${t.ticket_id}`);
    expect(t).toMatchObject({
      external_id: 'CRM-1',
      status: 'bot',
      category: 'card_arrival',
      confidence: 0.95,
      action: 'auto_reply',
      reply: 'Cards arrive within 3 working days; you can track yours in the app.',
      language: 'en',
    });
    expect(t.suggestions[0]).toEqual({ answer_id: 101, text: t.reply, score: 0.92 });
    const again = await json(
      await fetch(`${gw.url}/api/v1/tickets/${t.ticket_id}`, { headers: authHeaders }),
    );
    expect(again).toEqual(t);
  });

  it('is idempotent on external_id: a repeat answers 200 with the first ticket and stores nothing', async () => {
    const first = await json(
      await postTicket({ text: 'What exchange rate do you use?', external_id: 'CRM-2' }),
    );
    const before = await settledCounts(gw);
    const repeat = await postTicket({ text: 'a different text', external_id: 'CRM-2' });
    expect(repeat.status).toBe(200);
    expect(await json(repeat)).toEqual(first);
    expect(counts(gw)).toEqual(before);
  });

  it('hands a sensitive ticket to its queue and answers with the handoff', async () => {
    const t = await json(
      await postTicket({
        subject: 'Stolen card',
        text: 'Somebody stole my card yesterday',
        external_id: 'CRM-3',
      }),
    );
    expect(t).toMatchObject({
      action: 'handoff',
      reason: 'sensitive_category',
      category: 'lost_or_stolen_card',
      queue: 'security',
      status: 'queued',
    });
    expect(t.reply).toMatch(/^Thank you\. I am passing your question/);
  });

  it('sends an operator’s later reply to the callback URL through the outbox', async () => {
    const t = await json(
      await postTicket({
        text: 'card stolen',
        external_id: 'CRM-4',
        callback_url: `${crm.url}/hooks/neurodesk`,
      }),
    );
    const reply = await fetch(`${gw.url}/api/v1/conversations/${t.conversation_id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ operator: 'anna', text: 'I have blocked the card and ordered a new one.' }),
      headers: { 'content-type': 'application/json', ...authHeaders },
    });
    expect(reply.status).toBe(201);
    const call = await crm.waitForAccepted((r) => r.path === '/hooks/neurodesk');
    expect(call.body).toMatchObject({
      external_id: 'CRM-4',
      conversation_id: t.conversation_id,
      kind: 'message',
      author: 'operator',
      text: 'I have blocked the card and ordered a new one.',
    });
    // The bot's own handoff was in the HTTP response, so it is not called back.
    expect(crm.accepted('/hooks/neurodesk')).toHaveLength(1);
    const view = await json(await fetch(`${gw.url}/api/v1/tickets/${t.ticket_id}`, { headers: authHeaders }));
    expect(view.status).toBe('assigned');
    expect(view.replies.map((r: { author: string }) => r.author)).toEqual(['bot', 'operator']);
  });

  it('needs the API key, with the same opaque 401', async () => {
    const before = await settledCounts(gw);
    const res = await postTicket({ text: 'card' }, {});
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ error: { code: 'unauthorized', message: 'authentication required' } });
    expect(counts(gw)).toEqual(before);
  });

  it('answers 400 to malformed JSON and to invalid fields, naming them', async () => {
    const before = await settledCounts(gw);
    expect((await postTicket('{"text":')).status).toBe(400);
    const res = await postTicket({ text: '', callback_url: 'ftp://x', extra: 1 });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/text/);
    expect(body.error.message).toMatch(/callback_url/);
    expect(counts(gw)).toEqual(before);
  });

  it('answers 404 for a ticket that does not exist', async () => {
    const res = await fetch(`${gw.url}/api/v1/tickets/999999`, { headers: authHeaders });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});

describe('REST tickets while the nets are unavailable', () => {
  it('stores the ticket, answers 202, and the worker finishes it and calls back', async () => {
    let failures = 2;
    const local = await PlatformStandIn.start();
    const flaky = await startTestGateway({
      standIn: local,
      classifier: {
        classify: async (net) => {
          if (failures-- > 0) throw new Error('nets are loading');
          return {
            category: 'card_arrival',
            confidence: 0.95,
            unsure: false,
            top: [],
            net: { name: net, version: 'v' },
            latencyMs: 1,
          };
        },
      },
    });
    try {
      const res = await fetch(`${flaky.url}/api/v1/tickets`, {
        method: 'POST',
        body: JSON.stringify({ text: 'card not arrived', callback_url: `${local.url}/cb` }),
        headers: { 'content-type': 'application/json', ...authHeaders },
      });
      expect(res.status).toBe(202);
      const t = await json(res);
      expect(t).toMatchObject({ status: 'processing', action: null });
      const call = await local.waitForAccepted((r) => r.path === '/cb');
      expect(call.body).toMatchObject({ author: 'bot', text: expect.stringContaining('Cards arrive') });
      expect(row(flaky, 'SELECT status, attempts FROM jobs WHERE id = 1')).toEqual({
        status: 'done',
        attempts: 3,
      });
    } finally {
      await flaky.close();
      await local.close();
    }
  });
});
