import { Agent, request } from 'node:http';

/** Latency figures of a steady load, in ms. */
export interface SteadyResult {
  sent: number;
  failed: number;
  /** Answers by status code, and failures without one by error code (`ECONNRESET`…). */
  statuses: Record<string, number>;
  achievedRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * An open-loop load at a fixed rate, evenly spaced: request i is due at `i / rate` seconds,
 * whatever happened to the ones before it, and its latency counts from when it was due (so
 * a stalled server or a late generator shows up as latency, not as fewer requests).
 * autocannon's `overallRate` instead sends each connection's quota back to back at the
 * start of every second, which measures bursts rather than a steady rate.
 */
export async function steadyLoad(
  url: string,
  rate: number,
  seconds: number,
  next: () => { path: string; body: string; headers: Record<string, string>; method?: 'GET' | 'POST' },
): Promise<SteadyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { path, body, headers, method = 'POST' } = next();
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            path,
            method,
            agent,
            headers: method === 'GET' ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - due);
              if ((res.statusCode ?? 0) >= 300) failed++;
              count(String(res.statusCode));
              resolve();
            });
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => {
          failed++;
          count(err.code ?? 'error');
          resolve();
        });
        req.end(method === 'GET' ? undefined : body);
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
  return {
    sent: total,
    failed,
    statuses,
    achievedRps: Math.round(total / elapsed),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: at(1),
  };
}
