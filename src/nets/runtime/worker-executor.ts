import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend.js';
import type { NetExecutor } from './executor.js';
import type { HostStats, PreparedNet, VersionRef } from './net-host.js';
import type { NetWorkerData, NetWorkerEvent, NetWorkerReply, NetWorkerRequest } from './worker-protocol.js';

/** Options of a {@link WorkerExecutor}. */
export interface WorkerExecutorOptions {
  threads: number;
  /** Each thread's cache bound, in bytes. */
  maxBytes: number;
  backend: BackendChoice;
  /** Told of every version an inference thread evicted. */
  onEvict?: (ref: VersionRef, bytes: number) => void;
  /** Told when a thread stops unexpectedly (it is replaced on next use). */
  onExit?: (reason: string) => void;
}

interface Pending {
  resolve: (reply: NetWorkerReply & { ok: true }) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Batches a thread holds at once: one running, one ready to start the moment it ends. */
const QUEUE_DEPTH = 2;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Starts the inference thread entry, from dist (`.js`) or, under tsx, from the `.ts` source. */
function startWorker(data: NetWorkerData): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(source ? './net-worker.ts' : './net-worker.js', import.meta.url);
  if (!source) return new Worker(entry, { workerData: data });
  // A worker does not inherit the tsx loader, and Node 20 does not apply `--import tsx` from a
  // worker's execArgv to its entry: register tsx in the thread, then import the entry.
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
    { eval: true, workerData: data },
  );
}

/**
 * Inference in worker threads, so the HTTP thread only parses, routes and answers. Each
 * thread holds its own copy of the nets (its own cache bound); a batch goes to the thread
 * with the fewest batches queued. A thread that dies fails its queued batches and is
 * replaced on the next call; the replacement loads the nets again on first use.
 */
export class WorkerExecutor implements NetExecutor {
  readonly threads: number;
  private readonly slots: Array<Thread | undefined>;
  private readonly capacityListeners: Array<() => void> = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: WorkerExecutorOptions) {
    if (options.threads < 1) throw new Error('a worker executor needs at least one thread');
    this.threads = options.threads;
    this.slots = Array.from({ length: options.threads }, () => undefined);
  }

  /** Prepares one thread at a time, so the others keep serving meanwhile. */
  async prepare(ref: VersionRef): Promise<PreparedNet> {
    let prepared: PreparedNet | undefined;
    for (let i = 0; i < this.threads; i++) {
      const reply = await this.send(i, { type: 'prepare', ref });
      prepared ??= reply.prepared!;
    }
    return prepared!;
  }

  async run(ref: VersionRef, op: string, texts: readonly string[]): Promise<Float32Array> {
    let best = 0;
    for (let i = 1; i < this.threads; i++) if (this.load(i) < this.load(best)) best = i;
    return (await this.send(best, { type: 'run', ref, op, texts })).out!;
  }

  /** Every thread has a batch running and one queued behind it (more would only wait). */
  busy(): boolean {
    for (let i = 0; i < this.threads; i++) if (this.load(i) < QUEUE_DEPTH) return false;
    return true;
  }

  onCapacity(listener: () => void): void {
    this.capacityListeners.push(listener);
  }

  /** Threads not started yet (nothing asked them for work) report an empty cache. */
  async stats(): Promise<HostStats[]> {
    const idle: HostStats = { maxBytes: this.options.maxBytes, bytes: 0, tensors: 0, evictions: 0, nets: [] };
    return Promise.all(
      this.slots.map(async (slot, i) => (slot ? (await this.send(i, { type: 'stats' })).stats! : idle)),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const threads = this.slots.splice(0, this.slots.length, ...this.slots.map(() => undefined));
    await Promise.all(threads.map((t) => t?.worker.terminate()));
  }

  private notifyCapacity(): void {
    for (const listener of this.capacityListeners) listener();
  }

  private load(i: number): number {
    return this.slots[i]?.pending.size ?? 0;
  }

  private thread(i: number): Thread {
    const existing = this.slots[i];
    if (existing) return existing;
    const worker = startWorker({ maxBytes: this.options.maxBytes, backend: this.options.backend });
    const thread: Thread = { worker, pending: new Map() };
    const fail = (reason: string) => {
      if (this.slots[i] === thread) this.slots[i] = undefined;
      for (const p of thread.pending.values()) p.reject(new Error(`inference thread stopped: ${reason}`));
      thread.pending.clear();
      this.notifyCapacity();
      if (!this.closed) this.options.onExit?.(reason);
    };
    worker.on('message', (msg: NetWorkerReply | NetWorkerEvent) => {
      if ('event' in msg) {
        this.options.onEvict?.(msg.ref, msg.bytes);
        return;
      }
      const p = thread.pending.get(msg.id);
      thread.pending.delete(msg.id);
      if (thread.pending.size === 0) worker.unref();
      if (msg.ok) p?.resolve(msg);
      else p?.reject(new Error(msg.error));
      if (thread.pending.size === QUEUE_DEPTH - 1) this.notifyCapacity();
    });
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    // An idle pool must not keep the process alive (close() ends it); a busy one must.
    worker.unref();
    this.slots[i] = thread;
    return thread;
  }

  private send(
    i: number,
    req: DistributiveOmit<NetWorkerRequest, 'id'>,
  ): Promise<NetWorkerReply & { ok: true }> {
    if (this.closed) return Promise.reject(new Error('the inference threads are closed'));
    const thread = this.thread(i);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      if (thread.pending.size === 1) thread.worker.ref();
      thread.worker.postMessage({ ...req, id } as NetWorkerRequest);
    });
  }
}
