import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../../src/server.js';
import { recommendForConversation } from '../../../src/shop/conversation.js';
import { authHeaders, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';
import { orders, PRODUCTS } from './hand-made-shop.js';

let gw: Gateway;

const get = (path: string) => fetch(`${gw.url}/api/v1/shop${path}`, { headers: authHeaders });
const post = (path: string, body: unknown) =>
  fetch(`${gw.url}/api/v1/shop${path}`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const ids = (list: { items: { id: string }[] }) => list.items.map((i) => i.id);

beforeAll(async () => {
  gw = await startGateway(testConfig());
  await gw.shop.ready;
  expect((await post('/products', { products: PRODUCTS })).status).toBe(200);
  expect((await post('/events', { events: orders(Date.now()) })).status).toBe(200);
  expect((await post('/models/rebuild', {})).status).toBe(200);
});
afterAll(async () => {
  await gw.close();
});

describe('shop recommendations API', () => {
  it('reports the shop ready in /readyz once a model is in service', async () => {
    const body = await json(await fetch(`${gw.url}/readyz`));
    expect(body.checks.shop).toBe('ok');
  });

  it('lists what was bought with the TV, with support, confidence and lift', async () => {
    const res = await get('/items/tv/bought-together');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.model).toBe('bought-together');
    // 12 baskets; TV in 6, HDMI in 4 (all with the TV), soundbar in 3 (all with the TV):
    // confidence 4/6 and 3/6, lift (4·12)/(6·4) = 2 and (3·12)/(6·3) = 2.
    expect(
      body.items.map((i: Record<string, unknown>) => [i.id, i.support, i.confidence, i.lift, i.model]),
    ).toEqual([
      ['hdmi', 4, 0.666667, 2, 'bought-together'],
      ['soundbar', 3, 0.5, 2, 'bought-together'],
    ]);
  });

  it('drops pairs seen in fewer baskets than the minimum support', async () => {
    // Milk and the TV share one basket (Ann's): below the minimum of 3.
    expect(ids(await json(await get('/items/milk/bought-together')))).not.toContain('tv');
  });

  it('brings back a repeatable item the user bought, but not a once-only one', async () => {
    const body = await json(await get('/users/ann/recommendations?k=5'));
    expect(body.model).toBe('personal');
    expect(ids(body)).toContain('milk');
    expect(ids(body)).not.toContain('tv');
    expect(ids(body)).toEqual(expect.arrayContaining(['hdmi', 'butter']));
  });

  it('stops suggesting a once-only item as soon as the user buys it, before any rebuild', async () => {
    expect(ids(await json(await get('/users/ann/recommendations?k=5')))).toContain('hdmi');
    const res = await post('/events', { events: [{ userId: 'ann', itemId: 'hdmi', type: 'purchase' }] });
    expect(await json(res)).toEqual({ stored: 1, duplicates: 0 });
    const after = await json(await get('/users/ann/recommendations?k=5'));
    expect(ids(after)).not.toContain('hdmi');
    expect(ids(after)).toContain('milk');
  });

  it('answers an unknown user with top sellers and says why', async () => {
    const body = await json(await get('/users/nobody/recommendations?k=3'));
    expect(body).toMatchObject({ model: 'top-sellers', reason: 'unknown_user' });
    expect(body.items).toHaveLength(3);
    expect(body.items.every((i: { model: string }) => i.model === 'top-sellers')).toBe(true);
  });

  it('finds item-to-item neighbours from co-occurrence', async () => {
    const body = await json(await get('/items/tv/similar?k=2'));
    expect(body.model).toBe('item-to-item');
    expect(ids(body).sort()).toEqual(['hdmi', 'soundbar']);
  });

  it('gives a new item content-based neighbours from its title', async () => {
    await post('/products', {
      products: [{ id: 'toyota-tyres', title: 'Tyres for Toyota', category: 'Car parts' }],
    });
    const body = await json(await get('/items/toyota-tyres/similar?k=3'));
    expect(body).toMatchObject({ model: 'content', reason: 'cold_start' });
    expect(ids(body).sort()).toEqual(['camry-filter', 'corolla-pads', 'rav4-mats']);
    expect(body.items.every((i: { model: string }) => i.model === 'content')).toBe(true);
  });

  it('recommends to a new user who viewed only a new item by its content', async () => {
    await post('/events', { events: [{ userId: 'neo', itemId: 'toyota-tyres', type: 'view' }] });
    const body = await json(await get('/users/neo/recommendations?k=3'));
    expect(body).toMatchObject({ model: 'content', reason: 'cold_start' });
    expect(ids(body).every((id) => PRODUCTS.find((p) => p.id === id)?.title.includes('Toyota'))).toBe(true);
  });

  it('lists top sellers overall and per category', async () => {
    const all = await json(await get('/top?k=3'));
    expect(all.model).toBe('top-sellers');
    expect(ids(all)[0]).toBe('tv');
    const groceries = await json(await get('/top?category=Groceries'));
    expect(ids(groceries).sort()).toEqual(['bread', 'butter', 'milk']);
  });

  it('refuses a malformed event batch with 400 naming the row, and stores nothing from it', async () => {
    const before = await gw.store.shopEvents.count();
    const res = await post('/events', {
      events: [
        { userId: 'zed', itemId: 'milk', type: 'purchase' },
        { userId: 'zed', itemId: 'bread', type: 'view' },
        { userId: 'zed', itemId: 'butter', type: 'bought' },
      ],
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/^events\[2\]: type: /);
    expect(await gw.store.shopEvents.count()).toBe(before);
    expect((await json(await get('/users/zed/recommendations'))).reason).toBe('unknown_user');
  });

  it('refuses events for products not in the catalogue, naming the row', async () => {
    const res = await post('/events', { events: [{ userId: 'zed', itemId: 'unicorn', type: 'view' }] });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(/^events\[0\]: itemId: unknown product "unicorn"/);
  });

  it('counts a retried event id once', async () => {
    const event = { userId: 'u1', itemId: 'milk', type: 'view', eventId: 'evt-1' };
    expect(await json(await post('/events', { events: [event] }))).toEqual({ stored: 1, duplicates: 0 });
    expect(await json(await post('/events', { events: [event] }))).toEqual({ stored: 0, duplicates: 1 });
  });

  it('answers 404 for an unknown product or category and 400 for a bad k', async () => {
    expect((await get('/items/unicorn/similar')).status).toBe(404);
    expect((await get('/items/unicorn/bought-together')).status).toBe(404);
    expect((await get('/top?category=Spaceships')).status).toBe(404);
    const bad = await get('/top?k=1000');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toMatch(/^k: /);
  });

  it('gives a bot what is bought with the product a customer writes about, minus what they own', () => {
    const view = gw.shop.service.view()!;
    const r = recommendForConversation(view, {
      text: 'Is the Smart TV 55 inch in stock?',
      userId: 'u1',
      k: 3,
    });
    expect(r?.about).toMatchObject({ id: 'tv', matchedBy: 'title' });
    expect(r?.items[0]).toEqual({
      id: 'soundbar',
      title: 'Soundbar with subwoofer',
      url: null,
      price: 199,
      model: 'bought-together',
    });
    // u1 bought the HDMI cable (once-only) with their TV.
    expect(r?.items.map((i) => i.id)).not.toContain('hdmi');
  });

  it('recognises a product id named in a message, and attaches nothing to a message about no product', () => {
    const view = gw.shop.service.view()!;
    expect(recommendForConversation(view, { text: 'a question about hdmi' })?.about).toMatchObject({
      id: 'hdmi',
      matchedBy: 'product_id',
    });
    expect(recommendForConversation(view, { text: 'I want to change my password' })).toBeNull();
  });

  it('requires the API key', async () => {
    expect((await fetch(`${gw.url}/api/v1/shop/top`)).status).toBe(401);
  });
});
