/** How retries are spaced: exponential from `baseMs`, capped at `maxMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 = after the first failure): base·2^(attempt-1),
 * capped, with "equal jitter" (half fixed, half random) so that replies failed together by
 * one outage do not all hit the platform again in the same millisecond.
 */
export function retryDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
