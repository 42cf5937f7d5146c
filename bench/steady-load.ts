import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

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
  /**
   * The load generator's own longest event-loop delay (ms): a request due during it goes
   * out late and its lateness counts as latency, so a figure near the p99 means the client
   * stalled, not the server.
   */
  generatorMaxDelayMs: number;
}

/** One request of a steady load. */
export interface SteadyRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  method?: 'GET' | 'POST';
}

/**
 * An open-loop load at a fixed rate, evenly spaced: request i is due at `i / rate` seconds,
 * whatever happened to the ones before it, and its latency counts from when it was due (so
 * a stalled server or a late generator shows up as latency, not as fewer requests).
 * autocannon's `overallRate` instead sends each connection's quota back to back at the
 * start of every second, which measures bursts rather than a steady rate.
 *
 * The requests are made up front (`next` is called `rate × seconds` times) and sent from a
 * worker thread: a thread has its own heap, so the calling process's garbage collection
 * (a bench holding hundreds of MB of data sets and models pauses for tens of ms on a major
 * collection) does not hold up the sending and show up as server latency.
 */
export async function steadyLoad(
  url: string,
  rate: number,
  seconds: number,
  next: () => SteadyRequest,
): Promise<SteadyResult> {
  const requests = Array.from({ length: Math.round(rate * seconds) }, next);
  const source = import.meta.url.endsWith('.ts');
  const data = { steadyLoad: { url, rate, requests } };
  // Workers do not inherit the tsx loader: under tsx, register it in the worker first.
  const worker = source
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`,
        { eval: true, workerData: data },
      )
    : new Worker(new URL(import.meta.url), { workerData: data });
  return new Promise<SteadyResult>((resolve, reject) => {
    worker.once('message', (r: SteadyResult) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`steady load worker exited with code ${code}`)));
  });
}

/** The sending loop, on the worker thread. */
async function send(url: string, rate: number, requests: readonly SteadyRequest[]): Promise<SteadyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const total = requests.length;
  const latencies: number[] = [];
  let failed = 0;
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { path, body, headers, method = 'POST' } = requests[i]!;
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
  delay.disable();
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
    generatorMaxDelayMs: Math.round(delay.max / 1e5) / 10,
  };
}

const job =
  !isMainThread &&
  (workerData as { steadyLoad?: { url: string; rate: number; requests: SteadyRequest[] } })?.steadyLoad;
if (job) parentPort!.postMessage(await send(job.url, job.rate, job.requests));
