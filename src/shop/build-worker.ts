import { parentPort, workerData } from 'node:worker_threads';
import type { StoredLog } from './load-log.js';
import { transferList } from './model/build.js';
import { loadTfjs, tfReady } from './model/dense-inverse.js';
import { JS_DENSE_MAX_ITEMS } from './model/ease.js';
import type { ModelParams } from './model/params.js';
import { buildFromLog } from './model-builder.js';

/**
 * The model build thread: one request at a time, each with the log the main thread read
 * from the store, answered with transferred buffers. For a catalogue past the plain-JS
 * bound it loads TF.js and its best backend (wasm here), whose matMul does the O(n³) part
 * of the EASE inverse; a small shop never loads it.
 */
const { dbPath } = workerData as { dbPath: string };
let backend: Promise<unknown> | undefined;

parentPort!.on(
  'message',
  async (req: { id: number; params: ModelParams; now: number; stored: StoredLog }) => {
    try {
      if (!tfReady() && req.stored.log.items.length > JS_DENSE_MAX_ITEMS) {
        // Without a backend the build still runs, on the smaller plain-JS bound.
        backend ??= loadTfjs().catch(() => undefined);
        await backend;
      }
      const data = buildFromLog(req.stored, dbPath, req.params, req.now);
      parentPort!.postMessage({ id: req.id, data }, transferList(data));
    } catch (err) {
      parentPort!.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) });
    }
  },
);
