import type Database from 'better-sqlite3';
import type { ConsoleStats } from '../../console/console-store-port.js';

const DAY = 86_400_000;

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

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
    const outcomes = Object.fromEntries(this.s.outcomes.all(since).map((r) => [r.action, r.n]));
    const replies = Object.fromEntries(this.s.replies.all(since).map((r) => [r.action, r.n]));
    // The latest label of each message counts, on the day it was given.
    const finalLabel = new Map<number, { category: string; day: string; predicted: string | null }>();
    for (const r of this.s.labels.all(since)) {
      finalLabel.set(r.message_id, {
        category: r.category,
        day: new Date(r.created_at).toISOString().slice(0, 10),
        predicted: r.predicted,
      });
    }
    const byDay = new Map<string, { agree: number; total: number }>();
    for (const l of finalLabel.values()) {
      const d = byDay.get(l.day) ?? { agree: 0, total: 0 };
      d.total++;
      if (l.category === l.predicted) d.agree++;
      byDay.set(l.day, d);
    }
    const latencies = new Map<string, number[]>();
    for (const r of this.s.latency.all(since)) {
      const list = latencies.get(r.kind) ?? [];
      list.push(r.latency_ms);
      latencies.set(r.kind, list);
    }
    return {
      days,
      perCategory: this.s.perCategory.all(since),
      outcomes: {
        autoReply: outcomes.auto_reply ?? 0,
        handoff: outcomes.handoff ?? 0,
        fallback: outcomes.fallback ?? 0,
      },
      suggestions: {
        accepted: replies.accept_suggestion ?? 0,
        edited: replies.edit_suggestion ?? 0,
        written: replies.reply ?? 0,
      },
      agreement: [...byDay.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, v]) => ({ day, ...v })),
      latency: [...latencies.entries()].map(([kind, list]) => {
        const sorted = list.sort((a, b) => a - b);
        return { kind, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), n: sorted.length };
      }),
      latestReport,
    };
  }
}
