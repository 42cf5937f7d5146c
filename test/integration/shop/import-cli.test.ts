import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/core/ports.js';
import { runShopCli } from '../../../src/shop/cli.js';
import { closeDatabase, createStore, openDatabase } from '../../../src/store/sqlite.js';
import { captureProcessOutput } from '../../helpers/capture-output.js';
import { tempDir } from '../../helpers/config.js';

const PRODUCTS_CSV = `id,title,category,price,repeatable,colour
p1,"Mug, white",Kitchen,4.5,true,white
p2,"Lamp ""Nordic""",Lights,30,false,
`;

async function counts(dir: string) {
  const db = openDatabase(join(dir, 'neurodesk.db'));
  const store = createStore(db, systemClock);
  const out = { products: await store.shopCatalogue.all(), events: await store.shopEvents.count() };
  closeDatabase(db);
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('shop import command', () => {
  it('imports a CSV catalogue and gzipped JSONL events in one go', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'products.csv'), PRODUCTS_CSV);
    const events = [
      { userId: 'a', itemId: 'p1', type: 'purchase', timestamp: '2024-05-01T10:00:00Z', orderId: 'o1' },
      { userId: 'a', itemId: 'p2', type: 'view', timestamp: 1714557600000 },
    ];
    writeFileSync(join(dir, 'events.jsonl.gz'), gzipSync(events.map((e) => JSON.stringify(e)).join('\n')));
    const io = captureProcessOutput();
    const code = await runShopCli(
      [
        'import',
        '--products',
        join(dir, 'products.csv'),
        '--events',
        join(dir, 'events.jsonl.gz'),
        '--data-dir',
        dir,
      ],
      {},
    );
    expect(code).toBe(0);
    expect(io.out()).toMatch(/imported 2 products and 2 events/);
    const stored = await counts(dir);
    expect(stored.events).toBe(2);
    expect(stored.products).toEqual([
      expect.objectContaining({
        id: 'p1',
        title: 'Mug, white',
        price: 4.5,
        repeatable: true,
        attributes: { colour: 'white' },
      }),
      expect.objectContaining({ id: 'p2', title: 'Lamp "Nordic"', repeatable: false, attributes: {} }),
    ]);
  });

  it('refuses a file with bad lines, naming each, and stores nothing at all', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'products.csv'), PRODUCTS_CSV);
    writeFileSync(
      join(dir, 'events.csv'),
      [
        'userId,itemId,type,quantity,timestamp',
        'a,p1,purchase,1,2024-05-01 10:00',
        'a,p2,view,1,1714557600',
        'b,p9,view,1,2024-05-01 10:00',
      ].join('\n'),
    );
    const io = captureProcessOutput();
    const code = await runShopCli(
      [
        'import',
        '--products',
        join(dir, 'products.csv'),
        '--events',
        join(dir, 'events.csv'),
        '--data-dir',
        dir,
      ],
      {},
    );
    expect(code).toBe(1);
    expect(io.err()).toMatch(
      /events\.csv line 3: timestamp: is before 2000-01-01: milliseconds \(not seconds\)/,
    );
    expect(io.err()).toMatch(/events\.csv line 4: itemId: unknown product "p9"/);
    expect(io.err()).toMatch(/nothing was stored/);
    expect(await counts(dir)).toEqual({ products: [], events: 0 });
  });
});
