import type Database from 'better-sqlite3';
import type { AcceptResult, Clock, InboundMessage, Inbox, InboxEntry } from '../../core/ports.js';

/**
 * The durable inbox. One transaction dedupes the delivery, upserts its conversation,
 * stores the message and enqueues its processing job; the caller acknowledges the
 * platform only after it returns, so nothing acknowledged can be lost.
 */
export class SqliteInbox implements Inbox {
  private readonly findDelivery;
  private readonly insertDelivery;
  private readonly upsertConversation;
  private readonly insertMessage;
  private readonly insertJob;
  private readonly tx;
  private readonly batchTx;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.findDelivery = db.prepare<[string, string, string], { message_id: number; conversation_id: number }>(
      `SELECT d.message_id, m.conversation_id FROM inbound_deliveries d
       JOIN messages m ON m.id = d.message_id
       WHERE d.channel = ? AND d.bot = ? AND d.delivery_id = ?`,
    );
    this.insertDelivery = db.prepare(
      `INSERT INTO inbound_deliveries (channel, bot, delivery_id, message_id, received_at)
       VALUES (@channel, @bot, @deliveryId, @messageId, @now)`,
    );
    this.upsertConversation = db.prepare<Record<string, unknown>, { id: number }>(
      `INSERT INTO conversations (bot, channel, external_chat_id, customer_id, customer_name, language,
         reply_context, created_at, updated_at, last_customer_message_at)
       VALUES (@bot, @channel, @chatId, @customerId, @customerName, @language, @replyContext, @now, @now, @now)
       ON CONFLICT (bot, channel, external_chat_id) DO UPDATE SET
         customer_id = COALESCE(excluded.customer_id, customer_id),
         customer_name = COALESCE(excluded.customer_name, customer_name),
         language = COALESCE(excluded.language, language),
         reply_context = COALESCE(excluded.reply_context, reply_context),
         status = CASE WHEN status = 'resolved' THEN 'bot' ELSE status END,
         updated_at = excluded.updated_at,
         last_customer_message_at = excluded.last_customer_message_at
       RETURNING id`,
    );
    this.insertMessage = db.prepare(
      `INSERT INTO messages (conversation_id, direction, author, channel, external_id, text, meta, created_at)
       VALUES (@conversationId, 'in', 'customer', @channel, @externalId, @text, @meta, @now)`,
    );
    this.insertJob = db.prepare(
      `INSERT INTO jobs (kind, payload, conversation_id, run_after, created_at, updated_at)
       VALUES (@kind, @payload, @conversationId, @now, @now, @now)`,
    );
    this.tx = db.transaction((m: InboundMessage, jobKind: string | undefined): AcceptResult => {
      const seen = this.findDelivery.get(m.channel, m.bot, m.deliveryId);
      if (seen) return { duplicate: true, conversationId: seen.conversation_id, messageId: seen.message_id };
      const now = this.clock.now();
      const conversation = this.upsertConversation.get({
        bot: m.bot,
        channel: m.channel,
        chatId: m.chatId,
        customerId: m.customerId ?? null,
        customerName: m.customerName ?? null,
        language: m.language ?? null,
        replyContext: m.replyContext === undefined ? null : JSON.stringify(m.replyContext),
        now,
      })!;
      const messageId = Number(
        this.insertMessage.run({
          conversationId: conversation.id,
          channel: m.channel,
          externalId: m.externalMessageId ?? null,
          text: m.text,
          meta: m.meta === undefined ? null : JSON.stringify(m.meta),
          now,
        }).lastInsertRowid,
      );
      this.insertDelivery.run({ channel: m.channel, bot: m.bot, deliveryId: m.deliveryId, messageId, now });
      let jobId: number | undefined;
      if (jobKind) {
        const payload = JSON.stringify({ messageId, conversationId: conversation.id, bot: m.bot });
        jobId = Number(
          this.insertJob.run({ kind: jobKind, payload, conversationId: conversation.id, now })
            .lastInsertRowid,
        );
      }
      return { duplicate: false, conversationId: conversation.id, messageId, jobId };
    });
    // Each entry runs in a savepoint of the batch's transaction (better-sqlite3 nests a
    // transaction function that way), so one failing entry rolls back alone.
    this.batchTx = db.transaction(
      (entries: readonly InboxEntry[]): Array<AcceptResult | Error> =>
        entries.map((e) => {
          try {
            return this.tx(e.message, e.jobKind);
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
    );
  }

  /** Stores a delivery once; a replay returns the first one's ids with `duplicate: true`. */
  async accept(message: InboundMessage, jobKind?: string): Promise<AcceptResult> {
    // IMMEDIATE takes the write lock up front, so two replays racing cannot both insert.
    return this.tx.immediate(message, jobKind);
  }

  /**
   * Stores several deliveries with one commit (one disk sync for all of them); each gets its
   * result or its own error. Throws, storing nothing, when the database cannot be locked.
   */
  async acceptMany(entries: readonly InboxEntry[]): Promise<Array<AcceptResult | Error>> {
    return this.batchTx.immediate(entries);
  }
}
