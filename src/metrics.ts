import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus registry and the HTTP figures every route reports. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  inbound: Counter<'channel'>;
  decisions: Counter<'action'>;
  replies: Counter<'channel' | 'result'>;
}

/** Creates a registry of its own (not prom-client's global), so several apps can share a process. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'neurodesk_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'neurodesk_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'neurodesk_http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    inbound: new Counter({
      name: 'neurodesk_inbound_messages_total',
      help: 'Inbound messages stored (replays not counted), by channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'neurodesk_decisions_total',
      help: 'Decisions of the bots: auto_reply, handoff, fallback, silent',
      labelNames: ['action'],
      registers: [registry],
    }),
    replies: new Counter({
      name: 'neurodesk_reply_attempts_total',
      help: 'Outbox delivery attempts by channel and result (sent, retry, dead)',
      labelNames: ['channel', 'result'],
      registers: [registry],
    }),
  };
}
