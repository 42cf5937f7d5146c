import type { Server } from 'node:http';
import type { Logger } from './logger.js';

/** Counts requests that have started and not yet finished. */
export function trackInFlight(server: Server): { active(): number } {
  let active = 0;
  server.on('request', (_req, res) => {
    active++;
    let counted = true;
    const done = () => {
      if (counted) active--;
      counted = false;
    };
    res.on('finish', done);
    res.on('close', done);
  });
  return { active: () => active };
}

/** Something to stop at shutdown, in order: websockets, workers, the database last. */
export interface Closer {
  name: string;
  close(): void | Promise<void>;
}

/** Options for {@link gracefulShutdown}. */
export interface ShutdownOptions {
  server: Server;
  inFlight: { active(): number };
  closers: readonly Closer[];
  timeoutMs: number;
  logger: Logger;
}

/**
 * Stops accepting connections, lets in-flight requests finish (new ones on kept-alive
 * connections already get 503 from the app), then runs the closers. Resolves `true`
 * when all of it finished within `timeoutMs`.
 */
export async function gracefulShutdown(o: ShutdownOptions): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs;
  const closed = new Promise<void>((resolve) => o.server.close(() => resolve()));
  o.server.closeIdleConnections();
  while (o.inFlight.active() > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    o.server.closeIdleConnections();
  }
  const drained = o.inFlight.active() === 0;
  if (!drained) {
    o.logger.warn({ active: o.inFlight.active() }, 'shutdown timeout: closing remaining connections');
    o.server.closeAllConnections();
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  let ok = drained;
  for (const closer of o.closers) {
    try {
      await closer.close();
    } catch (err) {
      ok = false;
      o.logger.error({ err, closer: closer.name }, 'shutdown step failed');
    }
  }
  return ok;
}
