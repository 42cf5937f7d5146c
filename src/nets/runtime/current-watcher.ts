import { existsSync, type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import type { NetRegistry } from './net-registry.js';

/** Options of {@link watchCurrent}. */
export interface WatchOptions {
  registry: NetRegistry;
  /** How often every served net's CURRENT is read anyway (0: only the file watch). */
  pollMs: number;
  logger: Logger;
  /** Delay between a file event and the check, so a burst of events makes one reload. */
  debounceMs?: number;
  /** Watch the folders for events (default true); without, only the poll sees changes. */
  watch?: boolean;
}

/**
 * Picks up a replaced `CURRENT` within seconds: a file watch on each served net's folder
 * (the atomic rename that replaces CURRENT is an event there), and a poll as the fallback
 * where watching does not work (network file systems, some containers). Both only call
 * `registry.check`, which reloads when CURRENT names a version not in service.
 */
export function watchCurrent(o: WatchOptions): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  const timers = new Map<string, NodeJS.Timeout>();
  const debounceMs = o.debounceMs ?? 50;
  let closed = false;

  const check = (name: string, trigger: 'watch' | 'poll') => {
    o.registry.check(name, trigger).catch((err) => o.logger.error({ err, net: name }, 'net check failed'));
  };
  const watchName = (name: string) => {
    if (o.watch === false || watchers.has(name)) return;
    const dir = join(o.registry.root, name);
    if (!existsSync(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, () => {
        if (closed || timers.has(name)) return;
        timers.set(
          name,
          setTimeout(() => {
            timers.delete(name);
            check(name, 'watch');
          }, debounceMs),
        );
      });
      // A folder removed or renamed ends its watch; the poll sets it up again.
      w.on('error', () => {
        w.close();
        watchers.delete(name);
      });
      watchers.set(name, w);
    } catch (err) {
      o.logger.warn({ err, net: name }, 'cannot watch the net folder: relying on the poll');
    }
  };
  const tick = () => {
    for (const name of o.registry.names()) {
      watchName(name);
      if (o.pollMs > 0) check(name, 'poll');
    }
  };
  tick();
  // Names served later (first use) get their watch at the next tick.
  const poll = setInterval(tick, o.pollMs > 0 ? o.pollMs : 1000);
  poll.unref();
  return {
    close() {
      closed = true;
      clearInterval(poll);
      for (const t of timers.values()) clearTimeout(t);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
