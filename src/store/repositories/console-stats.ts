import type Database from 'better-sqlite3';
import type { ConsoleStats } from '../../console/console-store-port.js';
import { computeConsoleStats } from '../console-stats-figures.js';

const DAY = 86_400_000;

/** Computes the console's stats over the last `days` days. */
export class SqliteConsoleStats {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      perCategory: db.prepare<[number], { category: string; count: number }>(
        `SELECT category, COUNT(*) AS count FROM decisions WHERE created_at >= ? AND category IS NOT NULL
         GROUP BY category ORDER BY count DESC, category`,
      ),
      outcomes: db.prepare<[number], { action: string; n: number }>(
        'SELECT action, COUNT(*) AS n FROM decisions WHERE created_at >= ? GROUP BY action',
      ),
      replies: db.prepare<[number], { action: string; n: number }>(
        `SELECT action, COUNT(*) AS n FROM operator_actions
         WHERE created_at >= ? AND action IN ('accept_suggestion', 'edit_suggestion', 'reply') GROUP BY action`,
      ),
      labels: db.prepare<
        [number],
        { message_id: number; category: string; created_at: number; predicted: string | null }
      >(
        `SELECT a.message_id, a.category, a.created_at, d.category AS predicted
         FROM operator_actions a JOIN decisions d ON d.message_id = a.message_id
         WHERE a.created_at >= ? AND a.category IS NOT NULL
           AND a.action IN ('correct_category', 'accept_suggestion', 'edit_suggestion', 'reply')
         ORDER BY a.id`,
      ),
      latency: db.prepare<[number], { kind: string; latency_ms: number }>(
        'SELECT kind, latency_ms FROM predictions WHERE created_at >= ? ORDER BY id DESC LIMIT 20000',
      ),
    };
  }

  /** Stats for the `days` days up to `now`; `latestReport` comes from the training runs, if any. */
  compute(now: number, days: number, latestReport: string | null = null): ConsoleStats {
    const since = now - days * DAY;
    return computeConsoleStats(
      {
        perCategory: this.s.perCategory.all(since),
        outcomes: this.s.outcomes.all(since),
        replies: this.s.replies.all(since),
        labels: this.s.labels.all(since),
        latency: this.s.latency.all(since),
      },
      days,
      latestReport,
    );
  }
}
