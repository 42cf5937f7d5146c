import { describe, expect, it } from 'vitest';
import { startGateway } from '../../../src/server.js';
import { authHeaders, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';

describe('demo shop', () => {
  it('is loaded at the first start so the API answers out of the box, and not loaded again', async () => {
    const config = testConfig({ NEURODESK_SHOP_DEMO: 'on' });
    const first = await startGateway(config);
    await first.shop.ready;
    const top = await json(await fetch(`${first.url}/api/v1/shop/top?k=5`, { headers: authHeaders }));
    expect(top.items).toHaveLength(5);
    const bought = await json(
      await fetch(`${first.url}/api/v1/shop/items/${top.items[0].id}/bought-together?k=5`, {
        headers: authHeaders,
      }),
    );
    expect(bought.items.length).toBeGreaterThan(0);
    const events = await first.store.shopEvents.count();
    expect(events).toBeGreaterThan(50_000);
    await first.close();

    const second = await startGateway(config);
    await second.shop.ready;
    expect(await second.store.shopEvents.count()).toBe(events);
    await second.close();
  });

  it('is never loaded into a shop that has products of its own', async () => {
    const config = testConfig({ NEURODESK_SHOP_DEMO: 'off' });
    const own = await startGateway(config);
    await own.store.shopCatalogue.upsert([
      {
        id: 'x',
        title: 'Our own product',
        category: null,
        price: null,
        attributes: {},
        repeatable: false,
        url: null,
      },
    ]);
    await own.close();
    const again = await startGateway({ ...config, shop: { ...config.shop, demo: true } });
    await again.shop.ready;
    expect(await again.store.shopCatalogue.count()).toBe(1);
    await again.close();
  });
});
