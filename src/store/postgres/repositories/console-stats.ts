import type { ConsoleStats } from '../../../console/console-store-port.js';
import { type ConsoleStatsRows, computeConsoleStats } from '../../console-stats-figures.js';
import type { PgPool } from '../db.js';

const DAY = 86_400_000;

/** Computes the console's stats over the last `days` days from PostgreSQL. */
export class PgConsoleStats {
  constructor(private readonly pool: PgPool) {}

  /** Stats for the `days` days up to `now`; `latestReport` comes from the training runs, if any. */
  async compute(now: number, days: number, latestReport: string | null = null): Promise<ConsoleStats> {
    const since = now - days * DAY;
    const db = this.pool;
    const [perCategory, outcomes, replies, labels, latency] = await Promise.all([
      db.query<ConsoleStatsRows['perCategory'][number]>(
        `SELECT category, COUNT(*)::int AS count FROM decisions WHERE created_at >= $1 AND category IS NOT NULL
         GROUP BY category ORDER BY count DESC, category COLLATE "C"`,
        [since],
      ),
      db.query<ConsoleStatsRows['outcomes'][number]>(
        'SELECT action, COUNT(*)::int AS n FROM decisions WHERE created_at >= $1 GROUP BY action',
        [since],
      ),
      db.query<ConsoleStatsRows['replies'][number]>(
        `SELECT action, COUNT(*)::int AS n FROM operator_actions
         WHERE created_at >= $1 AND action IN ('accept_suggestion', 'edit_suggestion', 'reply') GROUP BY action`,
        [since],
      ),
      db.query<ConsoleStatsRows['labels'][number]>(
        `SELECT a.message_id, a.category, a.created_at, d.category AS predicted
         FROM operator_actions a JOIN decisions d ON d.message_id = a.message_id
         WHERE a.created_at >= $1 AND a.category IS NOT NULL
           AND a.action IN ('correct_category', 'accept_suggestion', 'edit_suggestion', 'reply')
         ORDER BY a.id`,
        [since],
      ),
      db.query<ConsoleStatsRows['latency'][number]>(
        'SELECT kind, latency_ms FROM predictions WHERE created_at >= $1 ORDER BY id DESC LIMIT 20000',
        [since],
      ),
    ]);
    return computeConsoleStats(
      {
        perCategory: perCategory.rows,
        outcomes: outcomes.rows,
        replies: replies.rows,
        labels: labels.rows,
        latency: latency.rows,
      },
      days,
      latestReport,
    );
  }
}
