import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceRecord } from '../instances-port.js';
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
  /**
   * The version each live instance of the cluster serves (from the instances' registry): more
   * than one version here is a rollout in progress, or an instance that could not load it.
   */
  servedBy?: Array<{ instance: string; version: string | null }>;
}

/** An instance as the listing shows it. */
export interface InstanceListing {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
  /** This listing was made by this instance. */
  self: boolean;
  nets: Record<string, string>;
}

/** Everything the registry and the inference threads hold. */
export interface NetsListing {
  root: string;
  /** Inference threads besides the main one (0: inference runs in the HTTP thread). */
  threads: number;
  cache: Array<{ thread: number; maxBytes: number; memoryBytes: number; tensors: number; evictions: number }>;
  nets: NetListing[];
  /** Every live instance and what it serves (present when the registry is known). */
  instances?: InstanceListing[];
}

const dirs = (path: string) =>
  existsSync(path)
    ? readdirSync(path, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
    : [];

/** The live instances, and which of them made the listing. */
export interface ClusterView {
  self: string;
  instances: InstanceRecord[];
}

/**
 * Lists every net under the root (and every name asked for), its versions and the cache,
 * and with `cluster`, what every live instance serves.
 */
export async function listNets(registry: NetRegistry, cluster?: ClusterView): Promise<NetsListing> {
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
      ...(cluster
        ? {
            servedBy: cluster.instances.map((i) => ({
              instance: i.id,
              version: i.nets[name]?.version ?? null,
            })),
          }
        : {}),
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
    ...(cluster
      ? {
          instances: cluster.instances.map((i) => ({
            id: i.id,
            host: i.host,
            pid: i.pid,
            startedAt: new Date(i.startedAt).toISOString(),
            heartbeatAt: new Date(i.heartbeatAt).toISOString(),
            self: i.id === cluster.self,
            nets: Object.fromEntries(Object.entries(i.nets).map(([n, v]) => [n, v.version])),
          })),
        }
      : {}),
  };
}
