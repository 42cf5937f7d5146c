import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { currentSignature } from './current-signature.js';
import type { NetRegistry } from './net-registry.js';

/** One version folder of a net. */
export interface VersionListing {
  version: string;
  /** CURRENT names it. */
  current: boolean;
  /** It answers requests now. */
  inService: boolean;
  /** Bytes it holds in each inference thread's cache, or null when it is not cached. */
  memoryBytes: number | null;
}

/** One net as `GET /api/v1/admin/nets` shows it. */
export interface NetListing {
  name: string;
  kind: string | null;
  state: 'loading' | 'ready' | 'failed' | 'not_loaded';
  /** The version CURRENT names (null if it cannot be read). */
  current: string | null;
  inService: { version: string; since: string; loadMs: number; memoryBytes: number } | null;
  versions: VersionListing[];
  lastFailure: { version: string | null; reason: string; at: string } | null;
}

/** Everything the registry and the inference threads hold. */
export interface NetsListing {
  root: string;
  /** Inference threads besides the main one (0: inference runs in the HTTP thread). */
  threads: number;
  cache: Array<{ thread: number; maxBytes: number; memoryBytes: number; tensors: number; evictions: number }>;
  nets: NetListing[];
}

const dirs = (path: string) =>
  existsSync(path)
    ? readdirSync(path, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
    : [];

/** Lists every net under the root (and every name asked for), its versions and the cache. */
export async function listNets(registry: NetRegistry): Promise<NetsListing> {
  const stats = await registry.executor.stats();
  const cachedBytes = new Map<string, number>();
  for (const n of stats[0]?.nets ?? []) cachedBytes.set(`${n.name}@${n.version}`, n.bytes);
  const names = new Set([
    ...dirs(registry.root).filter((n) => existsSync(join(registry.root, n, 'CURRENT'))),
    ...registry.names(),
  ]);
  const nets = [...names].sort().map((name): NetListing => {
    const dir = join(registry.root, name);
    const current = currentSignature(dir).version;
    const served = registry.served(name);
    const status = registry.status(name);
    const failure = registry.failure(name);
    const known = registry.names().includes(name);
    const versions = dirs(dir)
      .filter((v) => existsSync(join(dir, v, 'manifest.json')))
      .sort()
      .map((version) => ({
        version,
        current: version === current,
        inService: version === served?.ref.version,
        memoryBytes: cachedBytes.get(`${name}@${version}`) ?? null,
      }));
    return {
      name,
      kind: served?.prepared.kind ?? null,
      state: known ? status.state : 'not_loaded',
      current,
      inService: served
        ? {
            version: served.ref.version,
            since: new Date(served.since).toISOString(),
            loadMs: Math.round(served.prepared.loadMs),
            memoryBytes: served.prepared.bytes,
          }
        : null,
      versions,
      lastFailure: failure
        ? { version: failure.version, reason: failure.reason, at: new Date(failure.at).toISOString() }
        : null,
    };
  });
  return {
    root: registry.root,
    threads: registry.executor.threads,
    cache: stats.map((s, thread) => ({
      thread,
      maxBytes: s.maxBytes,
      memoryBytes: s.bytes,
      tensors: s.tensors,
      evictions: s.evictions,
    })),
    nets,
  };
}
