import type Database from 'better-sqlite3';
import type { ChannelName, Clock, NewOutboxItem, Outbox, OutboxItem } from '../../core/ports.js';
import { withoutDiskSync } from '../database.js';

interface OutboxRow {
  id: number;
  conversation_id: number | null;
  message_id: number | null;
  channel: ChannelName;
  bot: string;
  kind: string;
  payload: string;
  attempts: number;
}

/**
 * The outbox in SQLite. A claimed item is `sending` until the platform accepted it
 * (`sent`) or failed (`pending` again with a later attempt time, or `dead`). Items are made
 * durable with the reply that queued them; claims and marks are the dispatcher's
 * bookkeeping and commit without a disk sync of their own (see `withoutDiskSync`).
 */
export class SqliteOutbox implements Outbox {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly sentStmt;
  private readonly failStmt;
  private readonly requeueStmt;
  private readonly countStmt;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (conversation_id, message_id, channel, bot, kind, payload, next_attempt_at, created_at)
       VALUES (@conversationId, @messageId, @channel, @bot, @kind, @payload, @now, @now)`,
    );
    this.claimStmt = db.prepare<{ now: number; limit: number }, OutboxRow>(
      // An item waits while an older one of its conversation is unsent, so a customer
      // never gets the second reply before the first, even when the first is retried.
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1
       WHERE id IN (SELECT o.id FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= @now
                      AND (o.conversation_id IS NULL OR NOT EXISTS (
                        SELECT 1 FROM outbox e WHERE e.conversation_id = o.conversation_id AND e.id < o.id
                          AND e.status IN ('pending', 'sending')))
                    ORDER BY o.id LIMIT @limit)
       RETURNING id, conversation_id, message_id, channel, bot, kind, payload, attempts`,
    );
    this.sentStmt = db.prepare(
      `UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`,
    );
    this.failStmt = db.prepare(
      `UPDATE outbox SET status = CASE WHEN @next IS NULL THEN 'dead' ELSE 'pending' END,
         next_attempt_at = COALESCE(@next, next_attempt_at), last_error = @error WHERE id = @id`,
    );
    this.requeueStmt = db.prepare(`UPDATE outbox SET status = 'pending' WHERE status = 'sending'`);
    this.countStmt = db.prepare<[], { status: string; n: number }>(
      'SELECT status, COUNT(*) AS n FROM outbox GROUP BY status',
    );
  }

  /** Adds a reply to send; returns its id. */
  async enqueue(item: NewOutboxItem): Promise<number> {
    return this.enqueueNow(item);
  }

  /** Adds a reply to send inside the caller's transaction (the one that made the reply); returns its id. */
  enqueueNow(item: NewOutboxItem): number {
    return Number(
      this.insertStmt.run({
        conversationId: item.conversationId ?? null,
        messageId: item.messageId ?? null,
        channel: item.channel,
        bot: item.bot,
        kind: item.kind,
        payload: JSON.stringify(item.payload),
        now: this.clock.now(),
      }).lastInsertRowid,
    );
  }

  /** Claims up to `limit` due replies for sending, oldest first. */
  async claimDue(limit: number): Promise<OutboxItem[]> {
    return withoutDiskSync(this.db, () => this.claimStmt.all({ now: this.clock.now(), limit }))
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        conversationId: r.conversation_id,
        messageId: r.message_id,
        channel: r.channel,
        bot: r.bot,
        kind: r.kind,
        payload: JSON.parse(r.payload),
        attempts: r.attempts,
      }));
  }

  /** The platform accepted the reply. */
  async markSent(id: number): Promise<void> {
    withoutDiskSync(this.db, () => this.sentStmt.run(this.clock.now(), id));
  }

  /** The attempt failed: retry at `nextAttemptAt`, or dead-letter it when that is null. */
  async markFailed(id: number, error: string, nextAttemptAt: number | null): Promise<void> {
    withoutDiskSync(this.db, () =>
      this.failStmt.run({ id, error: error.slice(0, 2000), next: nextAttemptAt }),
    );
  }

  /** At start: items left `sending` by a crash are retried. Returns how many. */
  async requeueSending(): Promise<number> {
    return this.requeueStmt.run().changes;
  }

  /** How many items are in each state. */
  async counts(): Promise<Record<'pending' | 'sending' | 'sent' | 'dead', number>> {
    const out = { pending: 0, sending: 0, sent: 0, dead: 0 };
    for (const row of this.countStmt.all()) out[row.status as keyof typeof out] = row.n;
    return out;
  }
}
