/**
 * Keeps this instance's row of the instances' registry current: at start, each time a net
 * version goes into service here, and every `everyMs`; removed at a clean shutdown. An
 * instance whose row stops being refreshed (killed) drops out of the listing after a few
 * missed beats.
 */
import type { Clock } from '../core/ports.js';
import type { Logger } from '../logger.js';
import type { InstanceIdentity, InstanceRegistry, ServedVersion } from './instances-port.js';
import type { NetRegistry } from './runtime/net-registry.js';

/** Options of {@link startInstanceHeartbeat}. */
export interface HeartbeatOptions {
  nets: NetRegistry;
  instances: InstanceRegistry;
  identity: InstanceIdentity;
  everyMs: number;
  clock: Clock;
  logger: Logger;
  /**
   * Called with the ids of instances that stopped beating without removing their row (killed,
   * or cut off from the database): the events they had not yet shared went with them.
   */
  onPeerLost?: (ids: string[]) => void;
}

/** An instance counts as alive while its last beat is newer than this many beats. */
export const MISSED_BEATS = 3;

/** What this instance serves, by net name. */
export function servedVersions(nets: NetRegistry): Record<string, ServedVersion> {
  const out: Record<string, ServedVersion> = {};
  for (const name of nets.names().sort()) {
    const s = nets.served(name);
    if (s) out[name] = { version: s.ref.version, since: s.since };
  }
  return out;
}

/** Starts beating; `close` stops and removes this instance's row. */
export function startInstanceHeartbeat(o: HeartbeatOptions): { close(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  let alive: Set<string> | undefined;
  // Peers heard from lately; one that goes silent but keeps its row was lost, not stopped.
  const watchPeers = async () => {
    if (!o.onPeerLost) return;
    const rows = await o.instances.list(0);
    const cutoff = o.clock.now() - MISSED_BEATS * o.everyMs;
    const now = new Set(rows.filter((r) => r.heartbeatAt >= cutoff).map((r) => r.id));
    const lost = alive ? rows.filter((r) => alive!.has(r.id) && !now.has(r.id)).map((r) => r.id) : [];
    alive = now;
    if (lost.length > 0) {
      o.logger.warn({ instances: lost }, 'instances stopped beating');
      o.onPeerLost(lost);
    }
  };
  // One write at a time, in order: a beat never overtakes a newer one.
  const beat = () => {
    chain = chain
      .then(() => o.instances.beat(o.identity, servedVersions(o.nets)))
      .then(watchPeers)
      .catch((err) => o.logger.warn({ err: (err as Error).message }, 'instance heartbeat not recorded'));
    return chain;
  };
  void beat();
  const off = o.nets.onServed(() => void beat());
  const timer = setInterval(() => void beat(), o.everyMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      off();
      await chain;
      // Rows of instances silent for a day go too (killed ones never remove their own).
      await o.instances
        .remove(o.identity.id, o.clock.now() - 86_400_000)
        .catch((err) => o.logger.warn({ err: (err as Error).message }, 'instance row not removed'));
    },
  };
}
