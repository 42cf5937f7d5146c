import type { AcceptResult, Clock, InboundMessage, Inbox, InboxEntry } from '../../core/ports.js';
import { type PgClient, type PgPool, type PgQueryable, queryOne, withTransaction } from './db.js';

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

  /**
   * Stores a delivery once; a replay returns the first one's ids with `duplicate: true`. The
   * statement is its own transaction: one round trip for a new delivery.
   */
  accept(message: InboundMessage, jobKind?: string): Promise<AcceptResult> {
    return this.retrying(() => this.acceptOn(this.pool, message, jobKind));
  }

  /**
   * Stores several deliveries in one transaction (one commit for all of them), one statement
   * per entry. An entry whose values cannot be stored fails alone before it is sent; one that
   * the server refuses aborts the transaction, which then runs again with each entry in a
   * savepoint, so that entry rolls back alone and gets its own error. Throws, storing nothing,
   * when the transaction itself fails.
   */
  acceptMany(entries: readonly InboxEntry[]): Promise<Array<AcceptResult | Error>> {
    // Every batch takes its conversations' row locks in one order (by chat), so two batches
    // sharing conversations wait for each other instead of deadlocking; the rare deadlock
    // left (one delivery replayed in two batches at once) is retried. Entries of one
    // conversation keep their order (the sort is stable), hence their messages' order.
    const order = entries
      .map((e, i) => ({ e, i, key: [e.message.bot, e.message.channel, e.message.chatId] }))
      .sort((a, b) => compareKeys(a.key, b.key));
    return this.retrying(async () => {
      try {
        return await withTransaction(this.pool, (c) => this.acceptAll(c, order, entries.length, false));
      } catch (err) {
        if (!(err instanceof EntryRefused)) throw err;
      }
      return withTransaction(this.pool, (c) => this.acceptAll(c, order, entries.length, true));
    });
  }

  private async acceptAll(
    c: PgClient,
    order: ReadonlyArray<{ e: InboxEntry; i: number }>,
    n: number,
    savepoints: boolean,
  ): Promise<Array<AcceptResult | Error>> {
    const results: Array<AcceptResult | Error> = new Array(n);
    for (const { e, i } of order) {
      let sent = false;
      try {
        const pending = this.acceptOn(c, e.message, e.jobKind, async () => {
          sent = true;
          if (savepoints) await c.query('SAVEPOINT entry');
        });
        results[i] = await pending;
        if (savepoints) await c.query('RELEASE SAVEPOINT entry');
      } catch (err) {
        if (isRetryableTransactionError(err)) throw err;
        const error = err instanceof Error ? err : new Error(String(err));
        if (sent) {
          // The server refused the entry: the transaction is aborted.
          if (!savepoints) throw new EntryRefused(error);
          await c.query('ROLLBACK TO SAVEPOINT entry');
        }
        results[i] = error;
      }
    }
    return results;
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

  /**
   * One entry in one statement (one round trip): the delivery row is inserted first with its
   * message's id taken from the sequence in advance, so a replay racing the original waits on
   * the unique key; only when it is new are the conversation upserted and the message and job
   * inserted (the foreign key to the message is checked at the end of the statement). A replay
   * reads the first one's ids with a second statement, whose fresh snapshot sees a delivery
   * committed while this one waited. Values that cannot be stored (JSON, a missing text) fail
   * here, before anything is sent, so they never abort the transaction.
   */
  private async acceptOn(
    c: PgQueryable,
    m: InboundMessage,
    jobKind: string | undefined,
    beforeSend?: () => Promise<void>,
  ): Promise<AcceptResult> {
    const now = this.clock.now();
    // JSON first: a value that cannot be stored fails before anything is written.
    const replyContext = m.replyContext === undefined ? null : JSON.stringify(m.replyContext);
    const meta = m.meta === undefined ? null : JSON.stringify(m.meta);
    if (typeof m.text !== 'string') throw new TypeError(`delivery ${m.deliveryId} has no text`);
    await beforeSend?.();
    const row = await queryOne<{ message_id: number; conversation_id: number | null; job_id: number | null }>(
      c,
      ACCEPT_SQL,
      [
        m.channel,
        m.bot,
        m.deliveryId,
        now,
        m.chatId,
        m.customerId ?? null,
        m.customerName ?? null,
        m.language ?? null,
        replyContext,
        m.externalMessageId ?? null,
        m.text,
        meta,
        jobKind ?? null,
      ],
    );
    if (row?.conversation_id != null) {
      const result: AcceptResult = {
        duplicate: false,
        conversationId: row.conversation_id,
        messageId: row.message_id,
      };
      if (jobKind) result.jobId = row.job_id!;
      return result;
    }
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
}

/**
 * $1 channel, $2 bot, $3 delivery id, $4 now, $5 chat, $6 customer id, $7 customer name,
 * $8 language, $9 reply context, $10 external message id, $11 text, $12 meta, $13 job kind.
 * Returns one row (message, conversation and job ids) when the delivery is new, none when
 * it was already recorded.
 */
const ACCEPT_SQL = `
WITH ids AS (SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS message_id),
delivery AS (
  INSERT INTO inbound_deliveries (channel, bot, delivery_id, received_at, message_id)
  SELECT $1, $2, $3, $4, ids.message_id FROM ids
  ON CONFLICT (channel, bot, delivery_id) DO NOTHING
  RETURNING message_id
),
conversation AS (
  INSERT INTO conversations (bot, channel, external_chat_id, customer_id, customer_name, language,
    reply_context, created_at, updated_at, last_customer_message_at)
  SELECT $2, $1, $5, $6, $7, $8, $9, $4, $4, $4 FROM delivery
  ON CONFLICT (bot, channel, external_chat_id) DO UPDATE SET
    customer_id = COALESCE(excluded.customer_id, conversations.customer_id),
    customer_name = COALESCE(excluded.customer_name, conversations.customer_name),
    language = COALESCE(excluded.language, conversations.language),
    reply_context = COALESCE(excluded.reply_context, conversations.reply_context),
    status = CASE WHEN conversations.status = 'resolved' THEN 'bot' ELSE conversations.status END,
    updated_at = excluded.updated_at,
    last_customer_message_at = excluded.last_customer_message_at
  RETURNING id
),
message AS (
  INSERT INTO messages (id, conversation_id, direction, author, channel, external_id, text, meta, created_at)
  SELECT delivery.message_id, conversation.id, 'in', 'customer', $1, $10, $11, $12, $4
  FROM delivery, conversation
  RETURNING id, conversation_id
),
job AS (
  INSERT INTO jobs (kind, payload, conversation_id, run_after, created_at, updated_at)
  SELECT $13::text,
    json_build_object('messageId', message.id, 'conversationId', message.conversation_id, 'bot', $2::text)::text,
    message.conversation_id, $4, $4, $4
  FROM message WHERE $13::text IS NOT NULL
  RETURNING id
)
SELECT message.id AS message_id, message.conversation_id, (SELECT id FROM job) AS job_id FROM message`;

/** An entry the server refused inside a batch without savepoints: the batch runs again with them. */
class EntryRefused extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}
