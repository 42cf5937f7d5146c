/**
 * The shop's command line:
 *
 *   npm run shop -- import [--products FILE] [--events FILE] [--neighbours FILE] [--data-dir DIR]
 *   npm run shop -- drop-neighbours [--data-dir DIR]
 *   npm run shop -- build [--data-dir DIR]
 *
 * `import` reads CSV or JSONL files (optionally .gz), checks every row, and stores all of
 * them in one transaction, or nothing (exit 1, naming each bad line). `build` builds the
 * models once and prints what they hold and how long it took. The data dir comes from the
 * environment (`NEURODESK_DATA_DIR`, as for the gateway) unless `--data-dir` is given.
 * `--neighbours` loads item-to-item lists computed elsewhere (docs/shop-recommendations.md);
 * `drop-neighbours` removes them, so builds compute their own again.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, readEnvFile } from '../config.js';
import { systemClock } from '../core/ports.js';
import { openCommandStore } from '../store/open-store.js';
import { ImportRejected, readImport, storeImport } from './import/importer.js';
import { readNeighbours, removeNeighbours, storeNeighbours } from './import/neighbours.js';
import { loadTfjs } from './model/dense-inverse.js';
import { DEFAULT_PARAMS } from './model/params.js';
import { buildFromStore } from './model-builder.js';
import { ModelSnapshot } from './snapshot.js';

const USAGE = `usage: npm run shop -- import [--products FILE] [--events FILE] [--neighbours FILE] [--data-dir DIR]
       npm run shop -- drop-neighbours [--data-dir DIR]
       npm run shop -- build [--data-dir DIR]`;

/** Runs the command line; returns the exit code. */
export async function runShopCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      products: { type: 'string' },
      events: { type: 'string' },
      neighbours: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const command = positionals[0];
  const config = loadConfig(env);
  const dataDir = values['data-dir'] ?? config.dataDir;
  const openStore = () => openCommandStore(config, { clock: systemClock, dataDir, command: 'shop' });
  const dbPath = join(dataDir, 'neurodesk.db');
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (command === 'import') {
    if (!values.products && !values.events && !values.neighbours) {
      process.stderr.write(`${USAGE}\nimport needs --products, --events and/or --neighbours\n`);
      return 2;
    }
    const store = await openStore();
    try {
      const started = performance.now();
      const existing = new Set((await store.shopCatalogue.all()).map((p) => p.id));
      const data = await readImport(
        { products: values.products, events: values.events },
        Date.now(),
        existing,
      );
      // Neighbour lists are checked against the catalogue as it will be, before anything is stored.
      const lists = values.neighbours
        ? await readNeighbours(values.neighbours, new Set([...existing, ...data.products.map((p) => p.id)]))
        : undefined;
      const stored = await storeImport(store, data);
      const pairs = lists ? storeNeighbours(dbPath, lists) : 0;
      const seconds = (performance.now() - started) / 1000;
      out(
        `imported ${stored.products} products and ${stored.events} events` +
          `${stored.duplicates ? ` (${stored.duplicates} duplicate event ids skipped)` : ''}` +
          `${lists ? ` and ${pairs} neighbours of ${lists.size} items` : ''} in ${seconds.toFixed(1)} s` +
          ' into ' +
          dbPath,
      );
      if (lists)
        out(
          'builds now serve these item-to-item lists (npm run shop -- drop-neighbours to compute them again)',
        );
      out('a running gateway picks them up at its next model rebuild (NEURODESK_SHOP_REBUILD_INTERVAL)');
      return 0;
    } catch (err) {
      if (!(err instanceof ImportRejected)) throw err;
      for (const p of err.problems) process.stderr.write(`${p.file} line ${p.line}: ${p.message}\n`);
      process.stderr.write(`import refused: nothing was stored (${err.problems.length} problem(s) shown)\n`);
      return 1;
    } finally {
      await store.close();
    }
  }
  if (command === 'drop-neighbours') {
    out(removeNeighbours(dbPath) ? 'neighbour lists removed' : 'no imported neighbour lists');
    return 0;
  }
  if (command === 'build') {
    const store = await openStore();
    await loadTfjs();
    let data: Awaited<ReturnType<typeof buildFromStore>>;
    try {
      data = await buildFromStore(store, dbPath, DEFAULT_PARAMS, Date.now());
    } finally {
      await store.close();
    }
    out(JSON.stringify(new ModelSnapshot(data, 1).summary(), null, 2));
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runShopCli(process.argv.slice(2), { ...readEnvFile('.env'), ...process.env }).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`shop: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
