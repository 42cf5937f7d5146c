import { createHmac } from 'node:crypto';
import { safeEqual } from '../http/api-key.js';

/**
 * Webhook signature checks, free of any web framework and of the clock (`nowMs` is passed
 * in). Each returns a plain boolean: callers answer every failure with the same opaque 401.
 */

/** Inputs of a timestamped HMAC check. */
export interface SignedRequest {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
  toleranceMs: number;
}

/** True when a Unix-seconds timestamp is within the tolerance of now, in either direction. */
export function freshTimestamp(timestamp: string | undefined, nowMs: number, toleranceMs: number): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowMs - Number(timestamp) * 1000) <= toleranceMs;
}

function hmacHex(secret: string, prefix: string, body: Buffer): string {
  return createHmac('sha256', secret).update(prefix).update(body).digest('hex');
}

/**
 * Slack: `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))` with
 * `X-Slack-Request-Timestamp` within five minutes
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
export function verifySlack(r: SignedRequest): boolean {
  if (!r.signature || !freshTimestamp(r.timestamp, r.nowMs, r.toleranceMs)) return false;
  return safeEqual(r.signature, `v0=${hmacHex(r.secret, `v0:${r.timestamp}:`, r.rawBody)}`);
}

/**
 * Chatwoot: `X-Chatwoot-Signature: sha256=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))` with
 * `X-Chatwoot-Timestamp` (Unix seconds), sent when the webhook, agent bot or API inbox has a
 * secret (Chatwoot's lib/webhooks/trigger.rb; https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks).
 */
export function verifyChatwoot(r: SignedRequest): boolean {
  if (!r.signature || !freshTimestamp(r.timestamp, r.nowMs, r.toleranceMs)) return false;
  return safeEqual(r.signature, `sha256=${hmacHex(r.secret, `${r.timestamp}.`, r.rawBody)}`);
}

/** Signs like Slack does; for the local stand-ins and tests. */
export function signSlack(secret: string, timestamp: string, body: string | Buffer): string {
  return `v0=${hmacHex(secret, `v0:${timestamp}:`, Buffer.from(body))}`;
}

/** Signs like Chatwoot does; for the local stand-ins and tests. */
export function signChatwoot(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${hmacHex(secret, `${timestamp}.`, Buffer.from(body))}`;
}
