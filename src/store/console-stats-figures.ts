import type { ConsoleStats } from '../console/console-store-port.js';

/** The rows the console's stats are computed from, as either store reads them. */
export interface ConsoleStatsRows {
  perCategory: Array<{ category: string; count: number }>;
  outcomes: Array<{ action: string; n: number }>;
  replies: Array<{ action: string; n: number }>;
  labels: Array<{ message_id: number; category: string; created_at: number; predicted: string | null }>;
  latency: Array<{ kind: string; latency_ms: number }>;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Turns the stats rows of the last `days` days into the stats page's figures. */
export function computeConsoleStats(
  rows: ConsoleStatsRows,
  days: number,
  latestReport: string | null,
): ConsoleStats {
  const outcomes = Object.fromEntries(rows.outcomes.map((r) => [r.action, r.n]));
  const replies = Object.fromEntries(rows.replies.map((r) => [r.action, r.n]));
  // The latest label of each message counts, on the day it was given.
  const finalLabel = new Map<number, { category: string; day: string; predicted: string | null }>();
  for (const r of rows.labels) {
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
  for (const r of rows.latency) {
    const list = latencies.get(r.kind) ?? [];
    list.push(r.latency_ms);
    latencies.set(r.kind, list);
  }
  return {
    days,
    perCategory: rows.perCategory,
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
    agreement: [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, v]) => ({ day, ...v })),
    latency: [...latencies.entries()].map(([kind, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return { kind, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), n: sorted.length };
    }),
    latestReport,
  };
}
