import { Worker } from 'node:worker_threads';
import { systemClock } from '../core/ports.js';
import { openDatabase } from '../store/database.js';
import { SqliteShopCatalogue } from '../store/repositories/shop-catalogue.js';
import { SqliteShopEvents } from '../store/repositories/shop-events.js';
import { loadNeighbours, neighboursStamp } from './import/neighbours.js';
import { loadStoredLog } from './load-log.js';
import { buildModels, type ModelData } from './model/build.js';
import type { ModelParams } from './model/params.js';
import { trigramFeatures } from './text-features.js';

/** Builds models from the database; resolves with the data to wrap in a snapshot. */
export interface ModelBuilder {
  build(params: ModelParams, now: number): Promise<ModelData>;
  close(): Promise<void>;
}

/** Reads the database at `dbPath` (read-only) and builds every model, synchronously. */
export function buildFromDatabase(dbPath: string, params: ModelParams, now: number): ModelData {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const stored = loadStoredLog(
      new SqliteShopCatalogue(db, systemClock),
      new SqliteShopEvents(db, systemClock),
    );
    // Read before the lists, so a file stored during the build is picked up by the next one.
    const importedStamp = neighboursStamp(dbPath);
    const imported = loadNeighbours(dbPath, stored.log.items);
    return buildModels({ ...stored, features: trigramFeatures(), params, now, imported, importedStamp });
  } finally {
    db.close();
  }
}

/** Builds on the calling thread: blocks the event loop for the whole build (CLI, benchmarks). */
export function inlineBuilder(dbPath: string): ModelBuilder {
  return {
    build: async (params, now) => buildFromDatabase(dbPath, params, now),
    close: async () => {},
  };
}

interface Reply {
  id: number;
  data?: ModelData;
  error?: string;
}

/**
 * Builds in a worker thread that reads its own read-only connection (WAL lets it read
 * beside the writer), so requests keep being served during a rebuild. The finished model
 * arrives as transferred buffers: no copy, and the swap on the main thread is a reference.
 * Under tsx (development, tests) the worker loads the TypeScript source through tsx too.
 */
export function workerBuilder(dbPath: string): ModelBuilder {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (d: ModelData) => void; reject: (e: Error) => void }>();
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = undefined;
  };
  const start = () => {
    const source = import.meta.url.endsWith('.ts');
    const entry = new URL(source ? './build-worker.ts' : './build-worker.js', import.meta.url);
    // Workers do not inherit the tsx loader: under tsx, register it in the worker first.
    const w = source
      ? new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
          { eval: true, workerData: { dbPath } },
        )
      : new Worker(entry, { workerData: { dbPath } });
    w.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.data) p?.resolve(reply.data);
      else p?.reject(new Error(reply.error ?? 'model build failed'));
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`model build worker exited with code ${code}`)));
    // An idle worker must not keep the process alive.
    w.unref();
    return w;
  };
  return {
    build(params, now) {
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, params, now });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
