import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('shop config', () => {
  it('loads the demo shop by default in development only, unless told otherwise', () => {
    expect(loadConfig({}).shop.demo).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).shop.demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', NEURODESK_API_KEYS: 'k' }).shop.demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', NEURODESK_SHOP_DEMO: 'on' }).shop.demo).toBe(true);
    expect(loadConfig({ NEURODESK_SHOP_DEMO: 'off' }).shop.demo).toBe(false);
  });

  it('takes the rebuild interval as a duration, days included, and names a bad value', () => {
    expect(loadConfig({ NEURODESK_SHOP_REBUILD_INTERVAL: '1d' }).shop.rebuildIntervalMs).toBe(86_400_000);
    expect(() => loadConfig({ NEURODESK_SHOP_REBUILD_INTERVAL: 'hourly' })).toThrow(ConfigError);
    expect(() => loadConfig({ NEURODESK_SHOP_DEMO: 'yes' })).toThrow(/NEURODESK_SHOP_DEMO/);
  });
});
