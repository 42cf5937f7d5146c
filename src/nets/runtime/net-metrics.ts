import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HostStats } from './net-host.js';

/** The nets runtime's figures in `/metrics`. */
export interface NetMetrics {
  /** Reload attempts by net and result (`ok`, `failed`): a failure leaves the old version serving. */
  reloads: Counter<'net' | 'result'>;
  /** Texts per batch that reached a net. */
  batchSize: Histogram<string>;
  /** Versions dropped from an inference thread's cache by its memory bound. */
  evictions: Counter<'net'>;
  /** Records the version in service of a net (an info gauge). */
  served(net: string, kind: string, previous: string | null, version: string): void;
}

/**
 * Registers the runtime's metrics in an app's registry. Memory and live tensors are read
 * from every inference thread when `/metrics` is scraped.
 */
export function createNetMetrics(registry: Registry, stats: () => Promise<HostStats[]>): NetMetrics {
  const info = new Gauge({
    name: 'neurodesk_net_info',
    help: 'The version of each net in service (value 1)',
    labelNames: ['net', 'kind', 'version'],
    registers: [registry],
  });
  const perThread = async (pick: (s: HostStats) => number, gauge: Gauge<'thread'>) => {
    const all = await stats().catch(() => []);
    gauge.reset();
    all.forEach((s, i) => {
      gauge.set({ thread: String(i) }, pick(s));
    });
  };
  new Gauge({
    name: 'neurodesk_net_memory_bytes',
    help: 'Bytes held by the nets cached in each inference thread',
    labelNames: ['thread'],
    registers: [registry],
    async collect() {
      await perThread((s) => s.bytes, this);
    },
  });
  new Gauge({
    name: 'neurodesk_net_tensors',
    help: 'Live TF.js tensors in each inference thread',
    labelNames: ['thread'],
    registers: [registry],
    async collect() {
      await perThread((s) => s.tensors, this);
    },
  });
  return {
    reloads: new Counter({
      name: 'neurodesk_model_reloads_total',
      help: 'Net load and reload attempts by net and result (ok, failed)',
      labelNames: ['net', 'result'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'neurodesk_net_batch_size',
      help: 'Texts per batch run by a net',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    evictions: new Counter({
      name: 'neurodesk_net_evictions_total',
      help: 'Net versions evicted from an inference thread cache by its memory bound',
      labelNames: ['net'],
      registers: [registry],
    }),
    served(net, kind, previous, version) {
      if (previous !== null) info.remove({ net, kind, version: previous });
      info.set({ net, kind, version }, 1);
    },
  };
}
