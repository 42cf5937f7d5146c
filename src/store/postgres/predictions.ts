import type { Clock, PredictionLog, PredictionRecord } from '../../core/ports.js';
import { type PgPool, type PgQueryable, queryOne } from './db.js';

/** Records one prediction; returns its id (also inside another repository's transaction). */
export async function recordPrediction(db: PgQueryable, p: PredictionRecord, now: number): Promise<number> {
  const row = await queryOne<{ id: number }>(
    db,
    `INSERT INTO predictions (message_id, kind, net_name, net_version, label, confidence, top, latency_ms, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      p.messageId,
      p.kind,
      p.netName,
      p.netVersion,
      p.label,
      p.confidence,
      p.top === undefined ? null : JSON.stringify(p.top),
      p.latencyMs,
      now,
    ],
  );
  return row!.id;
}

/** Stores every prediction with the name and version of the net that made it. */
export class PgPredictionLog implements PredictionLog {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Records one prediction; returns its id. */
  record(p: PredictionRecord): Promise<number> {
    return recordPrediction(this.pool, p, this.clock.now());
  }
}
