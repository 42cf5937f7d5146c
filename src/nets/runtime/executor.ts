import type { HostStats, NetHost, PreparedNet, VersionRef } from './net-host.js';

/**
 * Where inference runs: in the HTTP thread ({@link LocalExecutor}) or in worker threads
 * (`WorkerExecutor`). The registry and the micro-batcher see only this interface.
 */
export interface NetExecutor {
  /** Inference threads besides the main one (0: inference runs in the main thread). */
  readonly threads: number;
  /** Loads and checks a version in every inference thread; rejects with the reason. */
  prepare(ref: VersionRef): Promise<PreparedNet>;
  /** Runs one op over a batch: `[texts × width]` row-major. A version not cached is loaded first. */
  run(ref: VersionRef, op: string, texts: readonly string[]): Promise<Float32Array>;
  /** Each inference thread's cache. */
  stats(): Promise<HostStats[]>;
  /** True while every inference thread has batches queued (absent: never busy). */
  busy?(): boolean;
  /** Calls `listener` whenever a thread that was busy gets room for another batch. */
  onCapacity?(listener: () => void): void;
  /** Frees every net and stops the threads. */
  close(): Promise<void>;
}

/** Inference in the calling thread: a batch blocks the event loop while it runs. */
export class LocalExecutor implements NetExecutor {
  readonly threads = 0;

  constructor(readonly host: NetHost) {}

  async prepare(ref: VersionRef): Promise<PreparedNet> {
    return this.host.prepare(ref);
  }

  async run(ref: VersionRef, op: string, texts: readonly string[]): Promise<Float32Array> {
    return this.host.run(ref, op, texts);
  }

  async stats(): Promise<HostStats[]> {
    return [this.host.stats()];
  }

  async close(): Promise<void> {
    this.host.clear();
  }
}
