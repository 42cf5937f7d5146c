import { describe, expect, it } from 'vitest';
import { startGateway } from '../../../src/server.js';
import { authHeaders, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';
import { orders, PRODUCTS } from './hand-made-shop.js';

describe('shop model rebuilds', () => {
  it('rebuild by themselves when events arrive, while the old model keeps answering', async () => {
    // Polling below is this test's own doing: the per-source API rate limit (where there is one) is off.
    const gw = await startGateway(
      testConfig({ NEURODESK_SHOP_REBUILD_INTERVAL: '100ms', NEURODESK_RATE_LIMIT: '0' }),
    );
    try {
      await gw.shop.ready;
      const api = `${gw.url}/api/v1/shop`;
      const send = (path: string, body: unknown) =>
        fetch(`${api}${path}`, {
          method: 'POST',
          headers: { ...authHeaders, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const first = await json(await fetch(`${api}/models`, { headers: authHeaders }));
      expect(first).toMatchObject({ ready: true, events: 0 });
      await send('/products', { products: PRODUCTS });
      const events = orders(Date.now());
      await send('/events', { events });
      let model = first;
      const deadline = Date.now() + 20_000;
      while (model.events !== events.length && Date.now() < deadline) {
        const top = await fetch(`${api}/top?k=3`, { headers: authHeaders });
        expect(top.status).toBe(200);
        model = await json(await fetch(`${api}/models`, { headers: authHeaders }));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(model.events).toBe(events.length);
      expect(model.version).toBeGreaterThan(first.version);
      expect(
        (await json(await fetch(`${api}/items/tv/bought-together`, { headers: authHeaders }))).items[0].id,
      ).toBe('hdmi');
    } finally {
      await gw.close();
    }
  });
});
