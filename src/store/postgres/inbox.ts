import type { AcceptResult, Clock, InboundMessage, Inbox, InboxEntry } from '../../core/ports.js';
import { execute, type PgClient, type PgPool, queryOne, withTransaction } from './db.js';

/** Deadlock or serialization failure: PostgreSQL rolled the transaction back, it may simply run again. */
export function isRetryableTransactionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const RETRIES = 3;

/**
 * The durable inbox in PostgreSQL. One transaction dedupes the delivery, upserts its
 * conversation, stores the message and enqueues its processing job; the caller acknowledges
 * the platform only after it returns, so nothing acknowledged can be lost. The dedupe key is
 * SQLite's: `(channel, bot, delivery_id)`, unique. The delivery row is inserted first
 * (`ON CONFLICT DO NOTHING`), so a replay racing the original waits for it and then reads
 * its ids: two instances receiving the same delivery store it once.
 */
export class PgInbox implements Inbox {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Stores a delivery once; a replay returns the first one's ids with `duplicate: true`. */
  accept(message: InboundMessage, jobKind?: string): Promise<AcceptResult> {
    return this.retrying(() => withTransaction(this.pool, (c) => this.acceptOn(c, message, jobKind)));
  }

  /**
   * Stores several deliveries in one transaction (one commit for all of them); each entry
   * runs in a savepoint, so one failing entry rolls back alone and gets its own error.
   * Throws, storing nothing, when the transaction itself fails.
   */
  acceptMany(entries: readonly InboxEntry[]): Promise<Array<AcceptResult | Error>> {
    // Every batch takes its conversations' row locks in one order (by chat), so two batches
    // sharing conversations wait for each other instead of deadlocking; the rare deadlock
    // left (one delivery replayed in two batches at once) is retried. Entries of one
    // conversation keep their order (the sort is stable), hence their messages' order.
    const order = entries
      .map((e, i) => ({ e, i, key: [e.message.bot, e.message.channel, e.message.chatId] }))
      .sort((a, b) => compareKeys(a.key, b.key));
    return this.retrying(() =>
      withTransaction(this.pool, async (c) => {
        const results: Array<AcceptResult | Error> = new Array(entries.length);
        for (const { e, i } of order) {
          await c.query('SAVEPOINT entry');
          try {
            results[i] = await this.acceptOn(c, e.message, e.jobKind);
            await c.query('RELEASE SAVEPOINT entry');
          } catch (err) {
            if (isRetryableTransactionError(err)) throw err;
            await c.query('ROLLBACK TO SAVEPOINT entry');
            results[i] = err instanceof Error ? err : new Error(String(err));
          }
        }
        return results;
      }),
    );
  }

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= RETRIES || !isRetryableTransactionError(err)) throw err;
      }
    }
  }

  private async acceptOn(c: PgClient, m: InboundMessage, jobKind: string | undefined): Promise<AcceptResult> {
    const now = this.clock.now();
    // JSON first: a value that cannot be stored fails before anything is written.
    const replyContext = m.replyContext === undefined ? null : JSON.stringify(m.replyContext);
    const meta = m.meta === undefined ? null : JSON.stringify(m.meta);
    const delivery = await queryOne<{ id: number }>(
      c,
      `INSERT INTO inbound_deliveries (channel, bot, delivery_id, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel, bot, delivery_id) DO NOTHING RETURNING id`,
      [m.channel, m.bot, m.deliveryId, now],
    );
    if (!delivery) {
      const seen = await queryOne<{ message_id: number; conversation_id: number }>(
        c,
        `SELECT d.message_id, m.conversation_id FROM inbound_deliveries d
         JOIN messages m ON m.id = d.message_id
         WHERE d.channel = $1 AND d.bot = $2 AND d.delivery_id = $3`,
        [m.channel, m.bot, m.deliveryId],
      );
      if (!seen) throw new Error(`delivery ${m.deliveryId} is recorded without its message`);
      return { duplicate: true, conversationId: seen.conversation_id, messageId: seen.message_id };
    }
    const conversation = await queryOne<{ id: number }>(
      c,
      `INSERT INTO conversations (bot, channel, external_chat_id, customer_id, customer_name, language,
         reply_context, created_at, updated_at, last_customer_message_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)
       ON CONFLICT (bot, channel, external_chat_id) DO UPDATE SET
         customer_id = COALESCE(excluded.customer_id, conversations.customer_id),
         customer_name = COALESCE(excluded.customer_name, conversations.customer_name),
         language = COALESCE(excluded.language, conversations.language),
         reply_context = COALESCE(excluded.reply_context, conversations.reply_context),
         status = CASE WHEN conversations.status = 'resolved' THEN 'bot' ELSE conversations.status END,
         updated_at = excluded.updated_at,
         last_customer_message_at = excluded.last_customer_message_at
       RETURNING id`,
      [
        m.bot,
        m.channel,
        m.chatId,
        m.customerId ?? null,
        m.customerName ?? null,
        m.language ?? null,
        replyContext,
        now,
      ],
    );
    const conversationId = conversation!.id;
    const message = await queryOne<{ id: number }>(
      c,
      `INSERT INTO messages (conversation_id, direction, author, channel, external_id, text, meta, created_at)
       VALUES ($1, 'in', 'customer', $2, $3, $4, $5, $6) RETURNING id`,
      [conversationId, m.channel, m.externalMessageId ?? null, m.text, meta, now],
    );
    const messageId = message!.id;
    await execute(c, 'UPDATE inbound_deliveries SET message_id = $1 WHERE id = $2', [messageId, delivery.id]);
    let jobId: number | undefined;
    if (jobKind) {
      const payload = JSON.stringify({ messageId, conversationId, bot: m.bot });
      const job = await queryOne<{ id: number }>(
        c,
        `INSERT INTO jobs (kind, payload, conversation_id, run_after, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4, $4) RETURNING id`,
        [jobKind, payload, conversationId, now],
      );
      jobId = job!.id;
    }
    return { duplicate: false, conversationId, messageId, jobId };
  }
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}
