import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGateway } from '../../../src/server.js';
import { runShopCli } from '../../../src/shop/cli.js';
import { NEIGHBOURS_FILE } from '../../../src/shop/import/neighbours.js';
import { captureProcessOutput } from '../../helpers/capture-output.js';
import { authHeaders, tempDir, testConfig } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';

// The documented example: lists as a distributed engine would write them, for demo shop products.
const EXAMPLE = 'docs/examples/shop-neighbours.csv';
const DEMO_PRODUCTS = 'training/data/online-retail/products.csv';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('item-to-item lists computed elsewhere', () => {
  it('imports the example file and serves its lists, best first, as the similar products', async () => {
    const dir = tempDir();
    const io = captureProcessOutput();
    const code = await runShopCli(
      ['import', '--products', DEMO_PRODUCTS, '--neighbours', EXAMPLE, '--data-dir', dir],
      {},
    );
    vi.restoreAllMocks();
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/and 13 neighbours of 4 items/);

    const gw = await startGateway(testConfig({ NEURODESK_DATA_DIR: dir, NEURODESK_SHOP_DEMO: 'off' }));
    try {
      await gw.shop.ready;
      const api = `${gw.url}/api/v1/shop`;
      const models = await json(await fetch(`${api}/models`, { headers: authHeaders }));
      expect(models).toMatchObject({ ready: true, similarModel: 'imported' });
      const similar = await json(await fetch(`${api}/items/22423/similar?k=4`, { headers: authHeaders }));
      expect(similar.model).toBe('item-to-item');
      expect(similar.items.map((i: { id: string }) => i.id)).toEqual(['22776', '23245', '22720', '21212']);
      expect(similar.items[0]).toMatchObject({ title: 'Sweetheart Cakestand 3 Tier', score: 0.412 });
      // A product the file has no list for falls back to content neighbours, as a new product does.
      const none = await json(await fetch(`${api}/items/22720/similar?k=3`, { headers: authHeaders }));
      expect(none).toMatchObject({ model: 'content', reason: 'cold_start' });
    } finally {
      await gw.close();
    }

    const dropped = captureProcessOutput();
    expect(await runShopCli(['drop-neighbours', '--data-dir', dir], {})).toBe(0);
    expect(dropped.out()).toMatch(/neighbour lists removed/);
    expect(existsSync(join(dir, NEIGHBOURS_FILE))).toBe(false);
  });

  it('refuses a file naming an unknown product or a bad score, and stores nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'neighbours.jsonl');
    writeFileSync(
      file,
      [
        { itemId: '22423', neighbourId: '22776', score: 0.4 },
        { itemId: '22423', neighbourId: 'NO-SUCH', score: 0.3 },
        { itemId: '47566', neighbourId: '23298', score: 'high' },
        { itemId: '47566', neighbourId: '47566', score: 1 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const io = captureProcessOutput();
    const code = await runShopCli(
      ['import', '--products', DEMO_PRODUCTS, '--neighbours', file, '--data-dir', dir],
      {},
    );
    expect(code).toBe(1);
    expect(io.err()).toContain('line 2: neighbourId: unknown product "NO-SUCH"');
    expect(io.err()).toContain('line 3: score: expected a number, got "high"');
    expect(io.err()).toContain('line 4: neighbourId: "47566" cannot be its own neighbour');
    expect(io.err()).toMatch(/nothing was stored/);
    expect(existsSync(join(dir, NEIGHBOURS_FILE))).toBe(false);
  });
});
