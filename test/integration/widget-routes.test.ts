import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Gateway } from '../../src/server.js';
import { WIDGET_GZIP_BUDGET_BYTES } from '../../src/widget/widget-asset.js';
import { authHeaders } from '../helpers/config.js';
import { startTestGateway } from '../helpers/gateway.js';
import { orders, PRODUCTS } from './shop/hand-made-shop.js';

/** A GET whose body is counted as it travels (fetch would unzip it). */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }),
        );
      })
        .on('error', reject)
        .end();
    },
  );
}

let gw: Gateway;
let demo: Gateway;

beforeAll(async () => {
  gw = await startTestGateway();
  demo = await startTestGateway({ config: { NEURODESK_DEMO_PAGE: 'on' } });
  await demo.shop.ready;
  const post = (path: string, body: unknown) =>
    fetch(`${demo.url}/api/v1/shop${path}`, {
      method: 'POST',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const catalogue = [...PRODUCTS, { id: 'xss', title: '<script>alert(1)</script> "mug"', price: 3 }];
  expect((await post('/products', { products: catalogue })).status).toBe(200);
  expect((await post('/events', { events: orders(Date.now()) })).status).toBe(200);
  expect((await post('/models/rebuild', {})).status).toBe(200);
});
afterAll(async () => {
  await gw.close();
  await demo.close();
});

describe('widget script', () => {
  it(`weighs at most ${WIDGET_GZIP_BUDGET_BYTES / 1024} KB gzipped, with its stylesheet inside`, async () => {
    const res = await rawGet(`${gw.url}/widget.js`, { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.bytes.length).toBeLessThanOrEqual(WIDGET_GZIP_BUDGET_BYTES);
    const plain = await (await fetch(`${gw.url}/widget.js`)).text();
    expect(plain).not.toContain('__WIDGET_CSS__');
    expect(plain).toContain(':host{');
  });

  it('may be loaded by pages of other origins, and is revalidated rather than fetched again', async () => {
    const res = await fetch(`${gw.url}/widget.js`);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const again = await fetch(`${gw.url}/widget.js`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    expect((await fetch(`${gw.url}/widget.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${gw.url}/widget.js`, { method: 'POST' })).status).toBe(405);
  });
});

describe('demo shop page', () => {
  it('is off unless enabled, and on by default only in development', async () => {
    expect((await fetch(`${gw.url}/demo`)).status).toBe(404);
    const demoOf = (env: Record<string, string>) =>
      loadConfig({ NEURODESK_API_KEYS: 'k', ...env }).demoPage.enabled;
    expect(demoOf({ NODE_ENV: 'development' })).toBe(true);
    expect(demoOf({ NODE_ENV: 'production' })).toBe(false);
    expect(demoOf({ NODE_ENV: 'production', NEURODESK_DEMO_PAGE: 'on' })).toBe(true);
    expect(demoOf({ NODE_ENV: 'development', NEURODESK_DEMO_PAGE: 'off' })).toBe(false);
  });

  it('lists products under a strict CSP with the widget tag on the page', async () => {
    const res = await fetch(`${demo.url}/demo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
    const html = await res.text();
    expect(html).toContain('<script src="/widget.js" data-bot="bank-support" data-lang="en"');
    expect(html).toContain('href="/demo/products/tv"');
    expect(html).not.toMatch(/style=|<style/);
  });

  it('shows a product with what is bought with it and what is like it, and tells the widget the product', async () => {
    const html = await (await fetch(`${demo.url}/demo/products/tv?lang=ru`)).text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('data-product-id="tv"');
    const together = html.slice(html.indexOf('data-testid="bought-together"'));
    expect(together).toContain('Покупают вместе');
    expect(together).toContain('HDMI cable 2 m');
    expect(html).toContain('data-testid="also-like"');
  });

  it('escapes catalogue text, answers 404 for an unknown product, and draws a picture for each product', async () => {
    const html = await (await fetch(`${demo.url}/demo/products/xss`)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;mug&quot;');
    expect(html).not.toContain('<script>alert');
    expect((await fetch(`${demo.url}/demo/products/nope`)).status).toBe(404);
    const svg = await fetch(`${demo.url}/demo/products/tv/image.svg`);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toContain('>ST</text>');
    expect((await fetch(`${demo.url}/demo/products/nope/image.svg`)).status).toBe(404);
  });
});
