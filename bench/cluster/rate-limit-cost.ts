/**
 * What a cluster-wide rate limit would cost each webhook: the one statement
 * rate-limiter-flexible's PostgreSQL store runs per request (an upsert of the client's
 * counter row, `RETURNING` the points), timed against a real server with `concurrency`
 * requests in flight — once with every request on its own key, once with all on one key,
 * which is what a platform's webhooks are (they come from a handful of addresses, so one
 * counter row every instance updates). The in-process token bucket is timed for comparison.
 */
import pg from 'pg';
import { RateLimiter } from '../../src/transport/http/rate-limit.js';

/** p50/p99/max of one variant, ms. */
export interface CostFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perS: number;
}

// The statement of rate-limiter-flexible's RateLimiterPostgres (consume), with its table.
const TABLE = `CREATE TABLE IF NOT EXISTS bench_rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`;
const UPSERT = `INSERT INTO bench_rate_limits (key, points, expire) VALUES ($1, $2, $3)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN (bench_rate_limits.expire <= $4 OR bench_rate_limits.expire IS NULL) THEN $2 ELSE bench_rate_limits.points + $2 END,
    expire = CASE WHEN (bench_rate_limits.expire <= $4 OR bench_rate_limits.expire IS NULL) THEN $3 ELSE bench_rate_limits.expire END
  RETURNING points, expire`;

const stats = (ms: number[], seconds: number): CostFigures => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), perS: Math.round(ms.length / seconds) };
};

/** Times `count` upserts at `concurrency`, on distinct keys and on one hot key, and the in-process bucket. */
export async function rateLimitCost(
  databaseUrl: string,
  count = 3000,
  concurrency = 16,
): Promise<{ distinctKeys: CostFigures; oneHotKey: CostFigures; inProcessNs: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  // An idle connection ended by the server (the throwaway database dropped, or another user's
  // terminate on the shared server) must not crash the bench before it writes its figures.
  pool.on('error', () => {});
  try {
    await pool.query(TABLE);
    await pool.query('TRUNCATE bench_rate_limits');
    const run = async (key: (i: number) => string) => {
      const times: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            const i = next++;
            const t = performance.now();
            const now = Date.now();
            await pool.query(UPSERT, [key(i), 1, now + 60_000, now]);
            times.push(performance.now() - t);
          }
        }),
      );
      return stats(times, (performance.now() - started) / 1000);
    };
    const distinctKeys = await run((i) => `client-${i}`);
    const oneHotKey = await run(() => 'telegram-149.154.167.220');
    await pool.query('DROP TABLE bench_rate_limits');
    const limiter = new RateLimiter({ perMinute: 6000, burst: 600, clock: { now: () => Date.now() } });
    const n = 200_000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) limiter.take(`client-${i % 50}`);
    const inProcessNs = Number(process.hrtime.bigint() - t) / n;
    return { distinctKeys, oneHotKey, inProcessNs: Math.round(inProcessNs) };
  } finally {
    await pool.end();
  }
}
