import type { NetLocation } from '../net-folder.js';

/**
 * What the runtime needs from a kind of net (the classifier, the two-tower Q/A net, ...).
 * Loading, caching, hot reload, the canary, the admin listing and micro-batching are the
 * same for every kind; a kind only says how to build a net from its verified files, which
 * batched operations it offers, and what its golden inputs must give.
 *
 * Adding a kind: write a `NetKind` (see `classifier/classifier-kind.ts`), name it after the
 * `kind` field of its meta.json, and add it to `NET_KINDS` in `kinds.ts`. Its operations are
 * then batchable through `NetRegistry.run(name, op, text)` with nothing else to write.
 */

/**
 * One batched operation over texts: `run(texts)` returns `[texts × width]` row-major. Row i
 * must depend on text i only (never on its batchmates): micro-batching relies on it.
 */
export interface BatchOp {
  /** Values per text (classes for `classify`, dimensions for `embed`). */
  width: number;
  run(texts: readonly string[]): Float32Array;
}

/**
 * What the serving side needs to interpret a net's outputs (labels, thresholds, ...): plain
 * JSON, since it crosses from an inference thread to the HTTP thread.
 */
export type NetInfo = Record<string, unknown>;

/** A net in memory, whatever its kind. */
export interface LoadedNet {
  /** The meta.json `kind` it was loaded as. */
  readonly kind: string;
  /** Bytes of memory its tensors and tables hold (what the cache bound counts). */
  readonly bytes: number;
  readonly ops: Readonly<Record<string, BatchOp>>;
  readonly info: NetInfo;
  /** Frees its tensors; called once, after the last request on it finished. */
  dispose(): void;
}

/** How to load and check one kind of net. */
export interface NetKind {
  /** The `kind` field of meta.json this loader handles. */
  readonly kind: string;
  /** Builds a net from its files, already checked against the manifest. Throws on bad content. */
  load(location: NetLocation, files: ReadonlyMap<string, Buffer>): LoadedNet;
  /**
   * Checks the golden inputs stored with the net (e.g. texts with their expected labels);
   * throws with the reason. The runtime checks finiteness and shapes of every op beforehand.
   */
  canary?(net: LoadedNet, files: ReadonlyMap<string, Buffer>): void;
}

/** Texts every op of every net must answer with finite values of its width. */
export const PROBE_TEXTS = ['', 'a', 'Where is my card? Где моя карта? 😡', 'x '.repeat(600)];

/** The runtime's own canary: every op answers finite rows of its declared width. Throws. */
export function checkOutputs(net: LoadedNet): void {
  const names = Object.keys(net.ops);
  if (names.length === 0) throw new Error('the net offers no operation');
  for (const name of names) {
    const op = net.ops[name]!;
    const out = op.run(PROBE_TEXTS);
    if (out.length !== PROBE_TEXTS.length * op.width) {
      throw new Error(
        `${name}: ${out.length} values for ${PROBE_TEXTS.length} texts, expected ${PROBE_TEXTS.length} × ${op.width}`,
      );
    }
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${name}: output ${bad} is ${out[bad]} (not finite)`);
  }
}
