import { safeEqual } from '../../transport/http/api-key.js';
import { freshTimestamp, hmacHex, type SignedRequest } from '../signatures.js';

/**
 * Chatwoot: `X-Chatwoot-Signature: sha256=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))` with
 * `X-Chatwoot-Timestamp` (Unix seconds), sent when the webhook, agent bot or API inbox has a
 * secret (Chatwoot's lib/webhooks/trigger.rb; https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks).
 */
export function verifyChatwoot(r: SignedRequest): boolean {
  if (!r.signature || !freshTimestamp(r.timestamp, r.nowMs, r.toleranceMs)) return false;
  return safeEqual(r.signature, `sha256=${hmacHex(r.secret, `${r.timestamp}.`, r.rawBody)}`);
}

/** Signs like Chatwoot does; for the local stand-ins and tests. */
export function signChatwoot(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${hmacHex(secret, `${timestamp}.`, Buffer.from(body))}`;
}
