import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `candidate` equals `expected`, in time that does not depend on where they differ. */
export function safeEqual(candidate: string, expected: string): boolean {
  // Hashing first gives equal-length buffers, so timingSafeEqual never throws or leaks length.
  return timingSafeEqual(digest(candidate), digest(expected));
}

/**
 * Requires `Authorization: Bearer <key>` with one of the configured keys. Failures are
 * opaque: the same 401 whether the header is missing, malformed or wrong.
 */
export function requireApiKey(keys: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = m?.[1];
    let ok = false;
    if (presented) for (const key of keys) ok = safeEqual(presented, key) || ok;
    if (ok) return next();
    next(
      new AppError('unauthorized', 'authentication required', { headers: { 'WWW-Authenticate': 'Bearer' } }),
    );
  };
}
