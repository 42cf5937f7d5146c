import { safeEqual } from '../../transport/http/api-key.js';
import { freshTimestamp, hmacHex, type SignedRequest } from '../signatures.js';

/**
 * Slack: `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))` with
 * `X-Slack-Request-Timestamp` within five minutes
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
export function verifySlack(r: SignedRequest): boolean {
  if (!r.signature || !freshTimestamp(r.timestamp, r.nowMs, r.toleranceMs)) return false;
  return safeEqual(r.signature, `v0=${hmacHex(r.secret, `v0:${r.timestamp}:`, r.rawBody)}`);
}

/** Signs like Slack does; for the local stand-ins and tests. */
export function signSlack(secret: string, timestamp: string, body: string | Buffer): string {
  return `v0=${hmacHex(secret, `v0:${timestamp}:`, Buffer.from(body))}`;
}
