import { Worker } from 'node:worker_threads';
import { loadNeighbours, neighboursStamp } from './import/neighbours.js';
import { loadStoredLog, type ShopLogSource, type StoredLog } from './load-log.js';
import { buildModels, type ModelData, transferList } from './model/build.js';
import type { ModelParams } from './model/params.js';
import { trigramFeatures } from './text-features.js';

/** Builds models from the store; resolves with the data to wrap in a snapshot. */
export interface ModelBuilder {
  build(params: ModelParams, now: number): Promise<ModelData>;
  close(): Promise<void>;
}

/**
 * Builds every model from a log read from the store, synchronously. Imported neighbour
 * lists are a file in the data folder (beside `dbPath`).
 */
export function buildFromLog(stored: StoredLog, dbPath: string, params: ModelParams, now: number): ModelData {
  // Read before the lists, so a file stored during the build is picked up by the next one.
  const importedStamp = neighboursStamp(dbPath);
  const imported = loadNeighbours(dbPath, stored.log.items);
  return buildModels({ ...stored, features: trigramFeatures(), params, now, imported, importedStamp });
}

/** Reads the store (a page of events at a time) and builds on the calling thread. */
export async function buildFromStore(
  store: ShopLogSource,
  dbPath: string,
  params: ModelParams,
  now: number,
): Promise<ModelData> {
  return buildFromLog(await loadStoredLog(store), dbPath, params, now);
}

/** Builds on the calling thread: blocks the event loop for the build itself (CLI, benchmarks). */
export function inlineBuilder(store: ShopLogSource, dbPath: string): ModelBuilder {
  return {
    build: (params, now) => buildFromStore(store, dbPath, params, now),
    close: async () => {},
  };
}

interface Reply {
  id: number;
  data?: ModelData;
  error?: string;
}

/**
 * Builds in a worker thread, so requests keep being served during a rebuild. The main
 * thread reads the catalogue and events through the store (whatever its engine; a page of
 * events at a time) into the interaction log's typed arrays, which move to the worker
 * without a copy; the finished model comes back as transferred buffers too, and the swap
 * on the main thread is a reference. Under tsx (development, tests) the worker loads the
 * TypeScript source through tsx too.
 */
export function workerBuilder(store: ShopLogSource, dbPath: string): ModelBuilder {
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
    async build(params, now) {
      const stored = await loadStoredLog(store);
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, params, now, stored }, transferList(stored));
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
