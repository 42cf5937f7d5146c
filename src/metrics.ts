import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The service's Prometheus registry and the HTTP figures every route reports. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  inbound: Counter<'channel'>;
  decisions: Counter<'action'>;
  replies: Counter<'channel' | 'result'>;
  /** 1 for the active TF.js backend (an info metric). */
  tfBackend: Gauge<'backend'>;
  /** Predictions by kind and by the net name and version that made them. */
  predictions: Counter<'kind' | 'net' | 'version' | 'unsure'>;
  /** In-process prediction latency by kind. */
  predictionDuration: Histogram<'kind'>;
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
    tfBackend: new Gauge({
      name: 'neurodesk_tf_backend_info',
      help: 'The active TF.js backend (value 1)',
      labelNames: ['backend'],
      registers: [registry],
    }),
    predictions: new Counter({
      name: 'neurodesk_predictions_total',
      help: 'Predictions by kind, net name and version, and whether the net was unsure',
      labelNames: ['kind', 'net', 'version', 'unsure'],
      registers: [registry],
    }),
    predictionDuration: new Histogram({
      name: 'neurodesk_prediction_duration_seconds',
      help: 'In-process prediction latency by kind',
      labelNames: ['kind'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
  };
}
