import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateNet } from '../../../src/nets/net-folder.js';
import type { Gateway } from '../../../src/server.js';
import { authHeaders } from '../../helpers/config.js';
import { startTestGateway } from '../../helpers/gateway.js';
import { json } from '../../helpers/http.js';
import { kbAnswer } from '../../helpers/real-nets.js';

let gw: Gateway;

beforeAll(async () => {
  gw = await startTestGateway({ nets: 'default' });
});
afterAll(async () => {
  await gw.close();
});

const suggest = async (body: Record<string, unknown>) => {
  const res = await fetch(`${gw.url}/api/v1/suggest`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...authHeaders },
  });
  expect(res.status).toBe(200);
  return json(res);
};

describe('POST /api/v1/suggest with the default net and knowledge base', () => {
  it('answers a card-delivery question with an answer about card delivery', async () => {
    const body = await suggest({ text: 'How long does it take for a new card to be delivered to me?', k: 3 });
    expect(body.net).toEqual({ name: 'bank-qa', version: locateNet('nets/bank-qa').version });
    const top = body.suggestions[0];
    expect(['card_delivery_estimate', 'card_arrival']).toContain(top.category);
    expect(top.text).toBe(kbAnswer(top.category));
    expect(top.text).toMatch(/deliver/i);
    expect(top.score).toBeGreaterThan(0);
    expect(top.score).toBeLessThanOrEqual(1);
  });

  it('answers in Russian with the Russian answer of the category', async () => {
    const body = await suggest({ text: 'Сколько дней идёт доставка карты?', k: 1 });
    expect(body.suggestions[0].text).toBe(kbAnswer('card_delivery_estimate', 'ru'));
  });

  it('asked for a language, answers in it only when one is relevant, else every language, best first', async () => {
    const text = 'Сколько дней идёт доставка карты?';
    const ru = await suggest({ text, k: 5, language: 'ru' });
    expect(ru.suggestions.map((s: { language: string }) => s.language)).toEqual(Array(5).fill('ru'));
    // No English answer is relevant to a Russian question: every language, by score.
    const en = await suggest({ text, k: 3, language: 'en' });
    expect(en.suggestions[0].text).toBe(kbAnswer('card_delivery_estimate', 'ru'));
    for (const body of [ru, en]) {
      const scores = body.suggestions.map((s: { score: number }) => s.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it('seeds the default knowledge base once: an English and a Russian answer for each of the 77 categories', async () => {
    const list = await json(await fetch(`${gw.url}/api/v1/answers?limit=1000`, { headers: authHeaders }));
    expect(list.total).toBe(154);
    const ru = list.answers.filter((a: { language: string }) => a.language === 'ru');
    expect(ru).toHaveLength(77);
    expect(new Set(ru.map((a: { category: string }) => a.category)).size).toBe(77);
    expect(new Set(list.answers.map((a: { category: string }) => a.category)).size).toBe(77);
    expect(await gw.answers.knowledgeBase.seedIfEmpty('default', 'training/data/bank-kb/answers.jsonl')).toBe(
      0,
    );
  });
});
