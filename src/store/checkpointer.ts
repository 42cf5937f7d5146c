import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Options for {@link startCheckpointer}. */
export interface CheckpointerOptions {
  /** Pause between two checkpoints. */
  intervalMs?: number;
  /** The WAL size (pages) at which a commit still checkpoints by itself, should the thread fall behind. */
  fallbackPages?: number;
  onError?: (message: string) => void;
}

/** A running checkpointer. */
export interface Checkpointer {
  stop(): Promise<void>;
}

// The worker is plain CommonJS evaluated from a string, so it runs the same from sources
// (tsx, vitest) and from the build; better-sqlite3 is resolved here and passed in.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 100');
let stopping = false;
let timer;
const loop = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
  if (!stopping) timer = setTimeout(loop, workerData.intervalMs);
};
parentPort.on('message', () => {
  stopping = true;
  clearTimeout(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
loop();
`;

/**
 * Copies the WAL into the database file from a worker thread with its own connection. A
 * checkpoint writes and syncs megabytes; run by SQLite itself it happens inside whichever
 * commit crosses the WAL threshold, on the event loop, and that commit's requests (and all
 * others) wait tens to hundreds of milliseconds. PASSIVE checkpoints never block writers.
 * The connection's own checkpoints stay on, at `fallbackPages`, in case the thread falls
 * behind (https://www.sqlite.org/wal.html#ckpt).
 */
export function startCheckpointer(db: Database.Database, o: CheckpointerOptions = {}): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${Math.floor(o.fallbackPages ?? 10_000)}`);
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      path: db.name,
      sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: o.intervalMs ?? 250,
    },
  });
  worker.unref();
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (m: { error?: string; stopped?: boolean }) => {
      if (m.error) o.onError?.(m.error);
      if (m.stopped) resolve();
    });
    worker.on('exit', () => resolve());
    worker.on('error', (err) => {
      o.onError?.(err.message);
      resolve();
    });
  });
  return {
    async stop() {
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
