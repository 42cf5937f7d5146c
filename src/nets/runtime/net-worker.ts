import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend.js';
import { NetHost } from './net-host.js';
import type { NetWorkerData, NetWorkerEvent, NetWorkerReply, NetWorkerRequest } from './worker-protocol.js';

/**
 * An inference thread: its own TF.js backend and {@link NetHost}, one request at a time.
 * Results go back as transferred buffers (no copy).
 */
const data = workerData as NetWorkerData;
const port = parentPort!;
const host = new NetHost({
  maxBytes: data.maxBytes,
  onEvict: (ref, bytes) => port.postMessage({ event: 'evicted', ref, bytes } satisfies NetWorkerEvent),
});
const ready = initBackend(data.backend);

port.on('message', async (req: NetWorkerRequest) => {
  let reply: NetWorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    await ready;
    if (req.type === 'prepare') reply = { id: req.id, ok: true, prepared: host.prepare(req.ref) };
    else if (req.type === 'stats') reply = { id: req.id, ok: true, stats: host.stats() };
    else {
      let out = host.run(req.ref, req.op, req.texts);
      // Only a buffer of its own can be transferred.
      if (out.byteOffset !== 0 || out.buffer.byteLength !== out.byteLength) out = out.slice();
      transfer.push(out.buffer as ArrayBuffer);
      reply = { id: req.id, ok: true, out };
    }
  } catch (err) {
    reply = { id: req.id, ok: false, error: (err as Error).message };
  }
  port.postMessage(reply, transfer);
});
