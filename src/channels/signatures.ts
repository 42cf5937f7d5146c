import { createHmac } from 'node:crypto';
import type { Clock } from '../core/ports.js';

/**
 * What platforms' webhook signature checks are made of, free of any web framework and of
 * the clock (`nowMs` is passed in). Each platform's check is in its folder and returns a
 * plain boolean: the webhook route answers every failure with the same opaque 401.
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

/** Hex HMAC-SHA256 of `prefix` then `body`. */
export function hmacHex(secret: string, prefix: string, body: Buffer): string {
  return createHmac('sha256', secret).update(prefix).update(body).digest('hex');
}

/** The inputs of a timestamped HMAC check, read from a delivery's `timestamp` and `signature` headers. */
export function signedRequest(
  req: { rawBody: Buffer; header(name: string): string | undefined },
  secret: string,
  headers: { timestamp: string; signature: string },
  window: SignatureWindow,
): SignedRequest {
  const { timestamp, signature } = headers;
  return {
    secret,
    rawBody: req.rawBody,
    timestamp: req.header(timestamp),
    signature: req.header(signature),
    nowMs: window.clock.now(),
    toleranceMs: window.toleranceMs,
  };
}

/** The clock a signed timestamp is checked against, and how far from it it may be. */
export interface SignatureWindow {
  clock: Clock;
  toleranceMs: number;
}
