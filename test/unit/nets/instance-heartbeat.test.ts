import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { servedVersions, startInstanceHeartbeat } from '../../../src/nets/instance-heartbeat.js';
import type { NetRegistry, ServedNet } from '../../../src/nets/runtime/net-registry.js';
import { openSqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../helpers/wait.js';

/** The part of a nets registry the heartbeat reads: what is served, and when that changes. */
function servedNets(initial: Record<string, string>) {
  const served = new Map(Object.entries(initial));
  const listeners: Array<() => void> = [];
  const registry = {
    names: () => [...served.keys()],
    served: (name: string) =>
      served.has(name)
        ? ({ ref: { name, version: served.get(name)! }, since: 1 } as unknown as ServedNet)
        : undefined,
    onServed: (l: () => void) => {
      listeners.push(l);
      return () => {};
    },
  } as unknown as NetRegistry;
  const serve = (name: string, version: string) => {
    served.set(name, version);
    for (const l of listeners) l();
  };
  return { registry, serve };
}

describe('instance heartbeat', () => {
  const clock = { now: () => Date.now() };
  const logger = createLogger('silent');

  it('records what this instance serves at once and again when a version goes into service', async () => {
    const instances = openSqliteStore(':memory:', { clock }).instances;
    const nets = servedNets({ 'bank-classifier': 'v1' });
    const me = { id: 'me', host: 'h', pid: 1, startedAt: 1 };
    const hb = startInstanceHeartbeat({
      nets: nets.registry,
      instances,
      identity: me,
      everyMs: 60_000,
      clock,
      logger,
    });
    await waitFor(async () => (await instances.list(0)).length === 1);
    expect(servedVersions(nets.registry)).toEqual({ 'bank-classifier': { version: 'v1', since: 1 } });
    nets.serve('bank-classifier', 'v2');
    await waitFor(async () => (await instances.list(0))[0]?.nets['bank-classifier']?.version === 'v2');
    await hb.close();
    expect(await instances.list(0)).toEqual([]);
  });

  it('reports a peer that stops beating without removing its row, not one that stopped cleanly', async () => {
    const instances = openSqliteStore(':memory:', { clock }).instances;
    const lost: string[][] = [];
    const killed = { id: 'killed', host: 'h', pid: 2, startedAt: 2 };
    const stopped = { id: 'stopped', host: 'h', pid: 3, startedAt: 3 };
    await instances.beat(killed, {});
    await instances.beat(stopped, {});
    const hb = startInstanceHeartbeat({
      nets: servedNets({}).registry,
      instances,
      identity: { id: 'me', host: 'h', pid: 1, startedAt: 1 },
      everyMs: 30,
      clock,
      logger,
      onPeerLost: (ids) => lost.push(ids),
    });
    // "stopped" keeps beating a little, then removes its row as a clean stop does.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await instances.beat(stopped, {});
    }
    await instances.remove('stopped');
    await waitFor(() => lost.length > 0, 3000, 'the lost peer');
    await new Promise((r) => setTimeout(r, 200));
    expect(lost).toEqual([['killed']]);
    await hb.close();
  });
});
