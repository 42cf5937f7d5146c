import type { Clock, NewOutboxItem, Outbox, OutboxItem } from '../../core/ports.js';
import { execute, type PgPool, type PgQueryable, query, queryOne } from './db.js';
import { type LeaseOptions, resolveLease } from './leases.js';

interface OutboxRow {
  id: number;
  conversation_id: number | null;
  message_id: number | null;
  channel: string;
  bot: string;
  kind: string;
  payload: string;
  attempts: number;
}

/** Adds a reply to send; returns its id (also inside the transaction that made the reply). */
export async function enqueueOutbox(db: PgQueryable, item: NewOutboxItem, now: number): Promise<number> {
  const row = await queryOne<{ id: number }>(
    db,
    `INSERT INTO outbox (conversation_id, message_id, channel, bot, kind, payload, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
    [
      item.conversationId ?? null,
      item.messageId ?? null,
      item.channel,
      item.bot,
      item.kind,
      JSON.stringify(item.payload),
      now,
    ],
  );
  return row!.id;
}

/**
 * The outbox in PostgreSQL, shared by every instance. A claim takes due pending items, and
 * `sending` items whose lease passed, with `FOR UPDATE SKIP LOCKED` (two instances never send
 * the same item), marks them `sending` with `claimed_by`/`lease_until` and counts the attempt.
 * An item waits while an older one of its conversation is unsent, so a customer never gets
 * the second reply before the first. The item's id is the idempotency key the channels pass
 * to the platforms, so a send repeated after a lease expiry can be recognised there.
 */
export class PgOutbox implements Outbox {
  readonly instanceId: string;
  readonly leaseMs: number;

  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
    lease: LeaseOptions = {},
  ) {
    ({ instanceId: this.instanceId, leaseMs: this.leaseMs } = resolveLease(lease));
  }

  /** Adds a reply to send; returns its id. */
  enqueue(item: NewOutboxItem): Promise<number> {
    return enqueueOutbox(this.pool, item, this.clock.now());
  }

  /** Claims up to `limit` due replies (or replies whose lease expired), oldest first. */
  async claimDue(limit: number): Promise<OutboxItem[]> {
    const now = this.clock.now();
    const rows = await query<OutboxRow>(
      this.pool,
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_by = $3, lease_until = $4
       WHERE id IN (
         SELECT o.id FROM outbox o
         WHERE ((o.status = 'pending' AND o.next_attempt_at <= $1) OR (o.status = 'sending' AND o.lease_until <= $1))
           AND (o.conversation_id IS NULL OR NOT EXISTS (
             SELECT 1 FROM outbox e WHERE e.conversation_id = o.conversation_id AND e.id < o.id
               AND e.status IN ('pending', 'sending')))
         ORDER BY o.id LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id, conversation_id, message_id, channel, bot, kind, payload, attempts`,
      [now, Math.max(0, Math.floor(limit)), this.instanceId, now + this.leaseMs],
    );
    return rows
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
    await execute(
      this.pool,
      `UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL, claimed_by = NULL, lease_until = NULL
       WHERE id = $2`,
      [this.clock.now(), id],
    );
  }

  /**
   * The attempt failed: retry at `nextAttemptAt`, or dead-letter it when that is null. Only
   * while this instance holds the item (a late failure must not undo another instance's send).
   */
  async markFailed(id: number, error: string, nextAttemptAt: number | null): Promise<void> {
    await execute(
      this.pool,
      `UPDATE outbox SET status = CASE WHEN $3::BIGINT IS NULL THEN 'dead' ELSE 'pending' END,
         next_attempt_at = COALESCE($3::BIGINT, next_attempt_at), last_error = $2,
         claimed_by = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'sending' AND claimed_by = $4`,
      [id, error.slice(0, 2000), nextAttemptAt, this.instanceId],
    );
  }

  /** At start: items whose lease passed are retried (their instance is gone). Returns how many. */
  requeueSending(): Promise<number> {
    return execute(
      this.pool,
      `UPDATE outbox SET status = 'pending', claimed_by = NULL, lease_until = NULL
       WHERE status = 'sending' AND lease_until <= $1`,
      [this.clock.now()],
    );
  }

  /** How many items are in each state. */
  async counts(): Promise<Record<'pending' | 'sending' | 'sent' | 'dead', number>> {
    const out = { pending: 0, sending: 0, sent: 0, dead: 0 };
    const rows = await query<{ status: string; n: number }>(
      this.pool,
      'SELECT status, COUNT(*) AS n FROM outbox GROUP BY status',
    );
    for (const row of rows) out[row.status as keyof typeof out] = row.n;
    return out;
  }
}
