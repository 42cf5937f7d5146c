import type { BackendChoice } from '../backend.js';
import type { HostStats, PreparedNet, VersionRef } from './net-host.js';

/** What an inference thread is started with. */
export interface NetWorkerData {
  maxBytes: number;
  backend: BackendChoice;
}

/** A request to an inference thread; answered by a {@link NetWorkerReply} with the same id. */
export type NetWorkerRequest =
  | { id: number; type: 'prepare'; ref: VersionRef }
  | { id: number; type: 'run'; ref: VersionRef; op: string; texts: readonly string[] }
  | { id: number; type: 'stats' };

/** An inference thread's answer: the result, or the error's message. */
export type NetWorkerReply =
  | { id: number; ok: true; prepared?: PreparedNet; out?: Float32Array; stats?: HostStats }
  | { id: number; ok: false; error: string };

/** Evictions an inference thread reports on its own (for the main thread's logs and metrics). */
export interface NetWorkerEvent {
  event: 'evicted';
  ref: VersionRef;
  bytes: number;
}
