import { authHeaders } from './config.js';

/**
 * What a running gateway says about its nets, read the way an operator would: the admin
 * listing (`GET /api/v1/admin/nets`) and `/metrics`.
 */

interface Listing {
  cache: Array<{ tensors: number; memoryBytes: number }>;
  nets: Array<{
    name: string;
    inService: { version: string } | null;
    lastFailure: { reason: string } | null;
  }>;
}

async function listing(url: string): Promise<Listing> {
  const res = await fetch(`${url}/api/v1/admin/nets`, { headers: authHeaders });
  if (res.status !== 200) throw new Error(`GET /api/v1/admin/nets answered ${res.status}`);
  return (await res.json()) as Listing;
}

/** Live TF.js tensors over every inference thread. */
export async function liveTensors(url: string): Promise<number> {
  return (await listing(url)).cache.reduce((n, c) => n + c.tensors, 0);
}

/** The version of `net` in service, and the reason of its last failed load (null if none). */
export async function netState(
  url: string,
  net: string,
): Promise<{ version: string | null; lastFailure: string | null }> {
  const n = (await listing(url)).nets.find((x) => x.name === net);
  return { version: n?.inService?.version ?? null, lastFailure: n?.lastFailure?.reason ?? null };
}

/** One sample of a counter or gauge in `/metrics` text (0 when absent). */
export async function metricValue(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

/** `neurodesk_model_reloads_total` of a net for one result (`ok` or `failed`). */
export const reloadsCounted = (url: string, net: string, result: 'ok' | 'failed') =>
  metricValue(url, `neurodesk_model_reloads_total{net="${net}",result="${result}"}`);
