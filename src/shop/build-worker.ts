import { parentPort, workerData } from 'node:worker_threads';
import { transferList } from './model/build.js';
import type { ModelParams } from './model/params.js';
import { buildFromDatabase } from './model-builder.js';

/** The model build thread: one request at a time, answered with transferred buffers. */
const { dbPath } = workerData as { dbPath: string };

parentPort!.on('message', (req: { id: number; params: ModelParams; now: number }) => {
  try {
    const data = buildFromDatabase(dbPath, req.params, req.now);
    parentPort!.postMessage({ id: req.id, data }, transferList(data));
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) });
  }
});
