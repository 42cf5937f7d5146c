import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../nets/backend.js';
import { transferList } from './model/build.js';
import type { ModelParams } from './model/params.js';
import { buildFromDatabase } from './model-builder.js';

/**
 * The model build thread: one request at a time, answered with transferred buffers. It sets
 * up its own TF.js backend first (the best that loads: wasm here), whose matMul does the
 * O(n³) part of the EASE inverse; without one the build still runs, on a smaller dense bound.
 */
const { dbPath } = workerData as { dbPath: string };
const backend = initBackend('auto').catch(() => undefined);

parentPort!.on('message', async (req: { id: number; params: ModelParams; now: number }) => {
  await backend;
  try {
    const data = buildFromDatabase(dbPath, req.params, req.now);
    parentPort!.postMessage({ id: req.id, data }, transferList(data));
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) });
  }
});
