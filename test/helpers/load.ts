import autocannon from 'autocannon';

/** A request autocannon sends (mutated per request by `setupRequest`). */
export interface LoadRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The options of a fixed-rate load run the suite uses. */
export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  connections: number;
  /** Requests per second over all connections. */
  overallRate: number;
  /** Requests in all: the run ends when every one is answered (or failed). */
  amount: number;
  /** Seconds before a request counts as timed out. */
  timeout?: number;
  requests?: Array<{ setupRequest?: (req: LoadRequest) => LoadRequest }>;
}

/** What a run measured; latencies in ms, corrected for coordinated omission at a fixed rate. */
export interface LoadResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}

/** Runs autocannon at a fixed rate on loopback (its package ships no types; this is the part used). */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return (autocannon as unknown as (o: LoadOptions) => Promise<LoadResult>)(options);
}
