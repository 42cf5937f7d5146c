import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/transport/http/rate-limit.js';

describe('rate limiter', () => {
  it('allows a burst, then one request per refill interval, per source', () => {
    let t = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2, clock: { now: () => t } });
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take('b')).toEqual({ ok: true });
    t += 1000;
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a').ok).toBe(false);
  });

  it('says how long to wait at slow rates, and can be switched off', () => {
    const slow = new RateLimiter({ perMinute: 2, burst: 1, clock: { now: () => 0 } });
    slow.take('a');
    expect(slow.take('a')).toEqual({ ok: false, retryAfterS: 30 });
    const off = new RateLimiter({ perMinute: 0, burst: 1, clock: { now: () => 0 } });
    for (let i = 0; i < 100; i++) expect(off.take('a').ok).toBe(true);
  });
});
