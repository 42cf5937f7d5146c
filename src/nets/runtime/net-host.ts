import * as tf from '@tensorflow/tfjs';
import { LRUCache } from 'lru-cache';
import { readNetFiles } from '../net-folder.js';
import { kindOf, NET_KINDS } from './kinds.js';
import { checkOutputs, type LoadedNet, type NetInfo, type NetKind } from './net-kind.js';

/** A version of a net on disk: its name, version folder name and path. */
export interface VersionRef {
  name: string;
  version: string;
  dir: string;
}

/** What loading a version told about it (plain JSON: it crosses threads). */
export interface PreparedNet {
  kind: string;
  info: NetInfo;
  bytes: number;
  /** Time to verify, load and check it, in ms. */
  loadMs: number;
  /** Width of each op's rows. */
  ops: Record<string, number>;
}

/** One thread's cache, as the admin listing shows it. */
export interface HostStats {
  maxBytes: number;
  bytes: number;
  /** Live TF.js tensors in this thread (nets' weights plus anything in flight). */
  tensors: number;
  evictions: number;
  nets: Array<{ name: string; version: string; bytes: number; inFlight: number }>;
}

interface Entry {
  ref: VersionRef;
  net: LoadedNet;
  prepared: PreparedNet;
  /** Requests running on it; an evicted net is freed when this drops to zero. */
  leases: number;
  evicted: boolean;
  disposed: boolean;
}

/** A net held for the duration of one request; `release` exactly once. */
export interface Lease {
  net: LoadedNet;
  release(): void;
}

/** Options of a {@link NetHost}. */
export interface NetHostOptions {
  /** The memory bound of the cache, in bytes. */
  maxBytes: number;
  kinds?: Readonly<Record<string, NetKind>>;
  now?: () => number;
  /** Told of every version leaving the cache (for logs and metrics). */
  onEvict?: (ref: VersionRef, bytes: number) => void;
}

const keyOf = (ref: VersionRef) => `${ref.name}@${ref.version}`;

/**
 * The nets loaded in one thread: an LRU cache of versions bounded by their memory. Loading
 * verifies every checksum, builds the net, and runs the canary (every op answers finite rows
 * of its width; the kind's golden inputs give their labels) before the net is cached. An
 * evicted net's tensors are freed only once the requests holding it have finished.
 */
export class NetHost {
  private readonly cache: LRUCache<string, Entry>;
  private readonly kinds: Readonly<Record<string, NetKind>>;
  private readonly now: () => number;
  private evictions = 0;

  constructor(private readonly options: NetHostOptions) {
    this.kinds = options.kinds ?? NET_KINDS;
    this.now = options.now ?? (() => performance.now());
    this.cache = new LRUCache<string, Entry>({
      maxSize: options.maxBytes,
      sizeCalculation: (e) => Math.max(1, e.net.bytes),
      dispose: (entry, _key, reason) => {
        entry.evicted = true;
        if (reason === 'evict') {
          this.evictions++;
          this.options.onEvict?.(entry.ref, entry.net.bytes);
        }
        if (entry.leases === 0) this.free(entry);
      },
    });
  }

  /** Loads and checks a version unless it is cached; throws with the reason if it is unfit. */
  prepare(ref: VersionRef): PreparedNet {
    return this.entry(ref).prepared;
  }

  /** Holds a version (loading it on a miss) until `release`: eviction waits for it. */
  acquire(ref: VersionRef): Lease {
    const entry = this.entry(ref);
    entry.leases++;
    let released = false;
    return {
      net: entry.net,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        if (entry.evicted && entry.leases === 0) this.free(entry);
      },
    };
  }

  /** Runs one op over a batch of texts: `[texts × width]` row-major. */
  run(ref: VersionRef, op: string, texts: readonly string[]): Float32Array {
    const lease = this.acquire(ref);
    try {
      const batchOp = lease.net.ops[op];
      if (!batchOp) throw new Error(`${ref.name}@${ref.version} has no operation "${op}"`);
      return batchOp.run(texts);
    } finally {
      lease.release();
    }
  }

  /** True if the version is in the cache. */
  has(ref: VersionRef): boolean {
    return this.cache.has(keyOf(ref));
  }

  /** The cache's contents and this thread's live tensors. */
  stats(): HostStats {
    const nets = [...this.cache.values()].map((e) => ({
      name: e.ref.name,
      version: e.ref.version,
      bytes: e.net.bytes,
      inFlight: e.leases,
    }));
    return {
      maxBytes: this.options.maxBytes,
      bytes: this.cache.calculatedSize,
      tensors: tf.memory().numTensors,
      evictions: this.evictions,
      nets,
    };
  }

  /** Frees every net (those in flight once their requests finish). */
  clear(): void {
    this.cache.clear();
  }

  private entry(ref: VersionRef): Entry {
    const cached = this.cache.get(keyOf(ref));
    if (cached && cached.ref.dir === ref.dir) return cached;
    const started = this.now();
    const files = readNetFiles(ref.dir);
    const kind = kindOf(ref.dir, files, this.kinds);
    const net = kind.load({ dir: ref.dir, name: ref.name, version: ref.version }, files);
    try {
      if (net.bytes > this.options.maxBytes) {
        throw new Error(
          `the net needs ${mb(net.bytes)} MB, more than the whole cache (${mb(this.options.maxBytes)} MB)`,
        );
      }
      checkOutputs(net);
      kind.canary?.(net, files);
    } catch (err) {
      net.dispose();
      throw err;
    }
    const ops = Object.fromEntries(Object.entries(net.ops).map(([name, op]) => [name, op.width]));
    const prepared: PreparedNet = { kind: net.kind, info: net.info, bytes: net.bytes, ops, loadMs: 0 };
    const entry: Entry = { ref, net, prepared, leases: 0, evicted: false, disposed: false };
    prepared.loadMs = this.now() - started;
    this.cache.set(keyOf(ref), entry);
    return entry;
  }

  private free(entry: Entry): void {
    if (entry.disposed) return;
    entry.disposed = true;
    entry.net.dispose();
  }
}

const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
