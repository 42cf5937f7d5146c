import type Database from 'better-sqlite3';
import type { Clock, PredictionLog, PredictionRecord } from '../../core/ports.js';

/** Stores every prediction with the name and version of the net that made it. */
export class SqlitePredictionLog implements PredictionLog {
  private readonly insertStmt;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO predictions (message_id, kind, net_name, net_version, label, confidence, top, latency_ms, created_at)
       VALUES (@messageId, @kind, @netName, @netVersion, @label, @confidence, @top, @latencyMs, @now)`,
    );
  }

  /** Records one prediction; returns its id. */
  async record(p: PredictionRecord): Promise<number> {
    return this.recordNow(p);
  }

  /** Records one prediction inside the caller's transaction; returns its id. */
  recordNow(p: PredictionRecord): number {
    return Number(
      this.insertStmt.run({
        messageId: p.messageId,
        kind: p.kind,
        netName: p.netName,
        netVersion: p.netVersion,
        label: p.label,
        confidence: p.confidence,
        top: p.top === undefined ? null : JSON.stringify(p.top),
        latencyMs: p.latencyMs,
        now: this.clock.now(),
      }).lastInsertRowid,
    );
  }
}
