import type { RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../core/ports.js';
import { AppError } from '../../errors.js';

/** Options for {@link RateLimiter}: a steady rate per minute, a burst, and how many sources to remember. */
export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  clock: Clock;
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per source (the client's address): `burst` requests at once, refilled at
 * `perMinute`. Buckets live in a bounded LRU, so a flood of sources cannot grow memory.
 * `perMinute` 0 turns limiting off.
 */
export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(private readonly o: RateLimitOptions) {
    this.buckets = new LRUCache({ max: o.maxSources ?? 10_000 });
  }

  /** Takes one token for `source`; when none is left, says how many seconds until one is. */
  take(source: string): { ok: true } | { ok: false; retryAfterS: number } {
    if (this.o.perMinute <= 0) return { ok: true };
    const now = this.o.clock.now();
    const perMs = this.o.perMinute / 60_000;
    const b = this.buckets.get(source) ?? { tokens: this.o.burst, at: now };
    b.tokens = Math.min(this.o.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
  }
}

/** The error for a refused request, with `Retry-After`. */
export function rateLimited(retryAfterS: number): AppError {
  return new AppError('rate_limited', 'too many requests; retry later', {
    headers: { 'Retry-After': String(retryAfterS) },
  });
}

/**
 * Express middleware: 429 with `Retry-After` when the caller's address is over its rate
 * (`req.ip`: the client behind a trusted proxy, else the socket's peer).
 */
export function rateLimit(limiter: RateLimiter): RequestHandler {
  return (req, _res, next) => {
    const r = limiter.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    next(r.ok ? undefined : rateLimited(r.retryAfterS));
  };
}
