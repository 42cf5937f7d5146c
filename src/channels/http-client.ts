import type { SendOutcome } from '../core/replies.js';

/** A platform's answer: status, headers and the body (parsed when it is JSON). */
export interface PlatformResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

/** Options for {@link callPlatform}. */
export interface CallOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent form-encoded instead (APIs that take no JSON, e.g. VK's). */
  form?: Record<string, string>;
  timeoutMs: number;
}

/**
 * Calls a platform API. Network failures and timeouts throw (the caller retries them);
 * any HTTP answer is returned. URLs can hold tokens (Telegram's does), so errors name the
 * platform call, never the URL.
 */
export async function callPlatform(url: string, o: CallOptions): Promise<PlatformResponse> {
  const type = o.form
    ? 'application/x-www-form-urlencoded'
    : o.body === undefined
      ? undefined
      : 'application/json; charset=utf-8';
  const res = await fetch(url, {
    method: o.method ?? 'POST',
    headers: { accept: 'application/json', ...(type ? { 'content-type': type } : {}), ...o.headers },
    body: o.form
      ? new URLSearchParams(o.form).toString()
      : o.body === undefined
        ? undefined
        : JSON.stringify(o.body),
    signal: AbortSignal.timeout(o.timeoutMs),
    redirect: 'error',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json };
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), if present and sane. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const v = headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Math.min(Number(v) * 1000, 3_600_000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - now, 3_600_000));
}

/** The usual reading of an HTTP status: 2xx sent, 408/429/5xx retried, other 4xx permanent. */
export function outcomeOfStatus(call: string, r: PlatformResponse, detail?: string): SendOutcome {
  if (r.status >= 200 && r.status < 300) return { status: 'sent' };
  const error = `${call}: HTTP ${r.status}${detail ? ` ${detail.slice(0, 200)}` : ''}`;
  if (r.status === 429 || r.status === 408 || r.status >= 500) {
    return { status: 'retry', error, retryAfterMs: retryAfterMs(r.headers) };
  }
  return { status: 'failed', error };
}

/** A thrown network error as a retryable outcome, described without URLs or bodies. */
export function networkFailure(call: string, err: unknown): SendOutcome {
  const e = err as { name?: string; cause?: { code?: string } };
  const why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.name ?? 'network error');
  return { status: 'retry', error: `${call}: ${why}` };
}

/** Runs a platform call and turns a network error into a retryable outcome. */
export async function attempt(call: string, fn: () => Promise<SendOutcome>): Promise<SendOutcome> {
  try {
    return await fn();
  } catch (err) {
    return networkFailure(call, err);
  }
}
