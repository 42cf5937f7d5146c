import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import type { QaNet } from '../../../src/nets/qa/qa-net.js';
import { type Gateway, startGateway } from '../../../src/server.js';
import { authHeaders, tempDir, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';
import { KeywordClassifier } from '../../helpers/keyword-nets.js';
import { TOY_KB, trainToyQa } from '../../helpers/toy-qa.js';

let gw: Gateway;
let netsDir: string;
let toy: QaNet;

beforeAll(async () => {
  await initBackend('wasm');
  netsDir = tempDir('neurodesk-nets-');
  toy = trainToyQa(7);
  // Saved under the default bot's net name, so the bot and the API use the same net.
  toy.save(join(netsDir, 'bank-qa'), 'v1');
  gw = await startGateway(
    testConfig({ NEURODESK_NETS_DIR: netsDir, NEURODESK_KB_SEED: 'off', NEURODESK_KB_SYNC_INTERVAL: '1h' }),
    { classifier: new KeywordClassifier() },
  );
});
afterAll(async () => {
  await gw?.close();
  toy?.dispose();
});

const api = (path: string, init: { method?: string; body?: unknown; type?: string } = {}) =>
  fetch(`${gw.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
    headers: { 'content-type': init.type ?? 'application/json', ...authHeaders },
  });
const suggest = async (text: string, extra: Record<string, unknown> = {}) => {
  const res = await api('/suggest', { method: 'POST', body: { text, ...extra } });
  expect(res.status).toBe(200);
  return json(res);
};
const embedded = () => gw.answers.indexes.embeddedCount('bank-qa');
const settled = () => gw.answers.indexes.idle();

describe('knowledge base API and suggestions with a two-tower net', () => {
  it('suggests nothing, without failing, while the knowledge base is empty', async () => {
    const body = await suggest('i lost my card', { k: 5 });
    expect(body.suggestions).toEqual([]);
    expect(body.net).toEqual({ name: 'bank-qa', version: 'v1' });
    expect(body.threshold).toBe(toy.meta.threshold);
  });

  it('refuses an import with a bad row, naming the row and storing nothing', async () => {
    const csv =
      'text,category,language\n"Freeze the card.",card_lost,en\n"",refund,en\n"Fine",delivery,english\n';
    const res = await api('/answers/import', { method: 'POST', body: csv, type: 'text/csv' });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/^row 2: text: text must not be empty/);
    expect(body.error.details).toEqual([
      { row: 2, message: 'text: text must not be empty' },
      { row: 3, message: expect.stringMatching(/^language:/) },
    ]);
    expect((await json(await api('/answers'))).total).toBe(0);
  });

  it('imports answers from JSON Lines and embeds each of them once', async () => {
    const before = embedded();
    const jsonl = TOY_KB.map((a) => JSON.stringify(a)).join('\n');
    const res = await api('/answers/import', { method: 'POST', body: jsonl, type: 'application/x-ndjson' });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.imported).toBe(TOY_KB.length);
    await settled();
    expect(embedded() - before).toBe(TOY_KB.length);
    const top = (await suggest('my card was stolen', { k: 2 })).suggestions[0];
    expect(top).toMatchObject({ category: 'card_lost', text: TOY_KB[0]!.text });
  });

  it('returns every answer, best first, when k is larger than the knowledge base, with finite scores', async () => {
    const body = await suggest('where is my parcel', { k: 50 });
    expect(body.suggestions).toHaveLength(TOY_KB.length);
    const scores = body.suggestions.map((s: { score: number }) => s.score);
    expect(scores.every((s: number) => Number.isFinite(s) && s >= 0 && s <= 1)).toBe(true);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(body.suggestions[0].category).toBe('delivery');
  });

  it('never answers a non-finite score, whatever the text', async () => {
    for (const text of ['😀', '\u0000', 'a'.repeat(20_000), '12345678901234567890', ' . ']) {
      const res = await api('/suggest', { method: 'POST', body: { text, k: 10 } });
      expect(res.status).toBe(200);
      for (const s of (await json(res)).suggestions) expect(Number.isFinite(s.score)).toBe(true);
    }
  });

  it('re-embeds only the answer whose text changed', async () => {
    const list = (await json(await api('/answers?limit=10'))).answers;
    const refund = list.find((a: { category: string }) => a.category === 'refund');
    let before = embedded();
    const patched = await api(`/answers/${refund.id}`, {
      method: 'PATCH',
      body: { text: 'Refunds are sent back by the merchant; ask them for the refund first.' },
    });
    expect(patched.status).toBe(200);
    expect((await json(patched)).revision).toBe(refund.revision + 1);
    await settled();
    expect(embedded() - before).toBe(1);
    expect((await suggest('please refund me', { k: 1 })).suggestions[0].text).toMatch(
      /^Refunds are sent back/,
    );

    before = embedded();
    await api(`/answers/${refund.id}`, { method: 'PATCH', body: { category: 'money_back' } });
    await settled();
    expect(embedded() - before).toBe(0);
    expect((await suggest('please refund me', { k: 1 })).suggestions[0].category).toBe('money_back');
  });

  it('stops suggesting a deactivated or deleted answer without re-embedding the others', async () => {
    const list = (await json(await api('/answers'))).answers;
    const password = list.find((a: { category: string }) => a.category === 'password');
    const before = embedded();
    await api(`/answers/${password.id}`, { method: 'PATCH', body: { active: false } });
    await settled();
    const ids = (await suggest('forgot my password', { k: 10 })).suggestions.map(
      (s: { answer_id: number }) => s.answer_id,
    );
    expect(ids).not.toContain(password.id);
    const del = await api(`/answers/${password.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await api(`/answers/${password.id}`)).status).toBe(404);
    await settled();
    expect(embedded() - before).toBe(0);
  });

  it('filters or boosts by category', async () => {
    const filtered = await suggest('where is my parcel', {
      k: 10,
      category: 'card_lost',
      category_mode: 'filter',
    });
    expect(filtered.suggestions.map((s: { category: string }) => s.category)).toEqual([
      'card_lost',
      'card_lost',
    ]);
    const boosted = await suggest('where is my parcel', { k: 3, category: 'card_lost' });
    expect(boosted.suggestions.map((s: { category: string }) => s.category)).toEqual([
      'card_lost',
      'card_lost',
      'delivery',
    ]);
  });

  it('answers several questions sent together, each with its own answers', async () => {
    const texts = ['lost my card', 'where is my parcel', 'please refund me', 'не пришла посылка'];
    const bodies = await Promise.all(texts.map((t) => suggest(t, { k: 1 })));
    expect(bodies.map((b) => b.suggestions[0].category)).toEqual([
      'card_lost',
      'delivery',
      'money_back',
      'delivery',
    ]);
    expect(bodies[3].suggestions[0].text).toBe(TOY_KB[4]!.text);
  });

  it('creates, reads and validates single answers', async () => {
    const created = await api('/answers', {
      method: 'POST',
      body: { text: '  Карта пришла? Активируйте её в приложении.  ', category: 'card_lost' },
    });
    expect(created.status).toBe(201);
    const a = await json(created);
    expect(a).toMatchObject({
      text: 'Карта пришла? Активируйте её в приложении.',
      language: 'ru',
      active: true,
      kb: 'default',
      usage_count: 0,
    });
    expect(await json(await api(`/answers/${a.id}`))).toEqual(a);
    for (const [body, message] of [
      [{ category: 'x' }, 'text is required'],
      [{ text: 'ok', language: 'english' }, /^language:/],
      [{ text: 'ok', colour: 'red' }, /colour/],
    ] as const) {
      const res = await api('/answers', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect((await json(res)).error.message).toMatch(message);
    }
    expect((await api('/answers/abc')).status).toBe(400);
    expect((await api('/answers/999999', { method: 'PATCH', body: { text: 'x' } })).status).toBe(404);
    expect((await api(`/answers/${a.id}`, { method: 'PATCH', body: {} })).status).toBe(400);
  });

  it('embeds every answer again for a new net version, and answers with the old one meanwhile', async () => {
    const size = (await json(await api('/answers?active=true'))).total;
    const before = embedded();
    const next = trainToyQa(11);
    next.save(join(netsDir, 'bank-qa'), 'v2');
    next.dispose();
    const outcome = await gw.nets.reload('bank-qa', 'admin');
    expect(outcome).toMatchObject({ ok: true, version: 'v2' });
    const during = await suggest('lost my card', { k: 1 });
    expect(['v1', 'v2']).toContain(during.net.version);
    await settled();
    expect(embedded() - before).toBe(size);
    const after = await suggest('lost my card', { k: 1 });
    expect(after.net).toEqual({ name: 'bank-qa', version: 'v2' });
    expect(after.suggestions[0].category).toBe('card_lost');
    expect(await gw.nets.reload('bank-qa', 'admin')).toMatchObject({ ok: true, changed: false });
  });

  it('refuses a version whose canary vectors changed, and keeps suggesting with the one in service', async () => {
    const bad = trainToyQa(11);
    bad.meta.canary[0]!.vector[0]! += 0.5;
    bad.save(join(netsDir, 'bank-qa'), 'v3');
    bad.dispose();
    const before = embedded();
    const outcome = await gw.nets.reload('bank-qa', 'admin');
    expect(outcome).toMatchObject({ ok: false, version: 'v3', serving: 'v2' });
    expect(outcome.ok === false && outcome.reason).toMatch(
      /^canary: .* golden inputs' vectors differ by 0\.5/,
    );
    const body = await suggest('lost my card', { k: 1 });
    expect(body.net).toEqual({ name: 'bank-qa', version: 'v2' });
    expect(body.suggestions[0].category).toBe('card_lost');
    await settled();
    expect(embedded()).toBe(before);
  });

  it('lists the two-tower net in the nets runtime as kind qa, with the version in service', async () => {
    const listing = await json(await api('/admin/nets'));
    const qa = listing.nets.find((n: { name: string }) => n.name === 'bank-qa');
    expect(qa).toMatchObject({ kind: 'qa', state: 'ready', current: 'v3', inService: { version: 'v2' } });
    expect(qa.lastFailure.reason).toMatch(/^canary:/);
  });
});
