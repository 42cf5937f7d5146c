import type {
  ConversationChange,
  ConversationRecord,
  ConversationStore,
  MessageRecord,
  OperatorActionRecord,
  ProcessingOutcome,
  RecordedIds,
  RecordedReply,
  TicketView,
} from '../../core/conversation-port.js';
import type { ChannelName, Clock, Suggestion } from '../../core/ports.js';
import {
  type ConversationRow,
  type DecisionRow,
  type MessageRow,
  toConversation,
  toDecision,
  toMessage,
} from '../repositories/conversation-rows.js';
import {
  execute,
  type PgClient,
  type PgPool,
  type PgQueryable,
  query,
  queryOne,
  withTransaction,
} from './db.js';
import { enqueueOutbox } from './outbox.js';
import { recordPrediction } from './predictions.js';

/** Stores an operator's action (a label for the next training run); returns its id. */
export async function insertOperatorAction(
  db: PgQueryable,
  a: OperatorActionRecord,
  now: number,
): Promise<number> {
  const row = await queryOne<{ id: number }>(
    db,
    `INSERT INTO operator_actions (conversation_id, message_id, operator, action, category, answer_id, text,
       prediction_ids, net_versions, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      a.conversationId,
      a.messageId,
      a.operator,
      a.action,
      a.category,
      a.answerId,
      a.text,
      JSON.stringify(a.predictionIds),
      JSON.stringify(a.netVersions),
      now,
    ],
  );
  return row!.id;
}

/**
 * Conversations, their messages and decisions in PostgreSQL (rows mapped as on SQLite, by
 * `conversation-rows.ts`). Every write that the customer could notice (a reply, a status
 * change) commits together with its outbox items and the operator's action, if any.
 */
export class PgConversations implements ConversationStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** A message with its conversation. */
  async loadMessage(
    messageId: number,
  ): Promise<{ message: MessageRecord; conversation: ConversationRecord } | undefined> {
    // One round trip: both rows as JSON (BIGINT ids and times come back as JSON numbers).
    const row = await queryOne<{ m: MessageRow; c: ConversationRow }>(
      this.pool,
      `SELECT to_json(m) AS m, to_json(c) AS c FROM messages m
       JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1`,
      [messageId],
    );
    if (!row) return undefined;
    return { message: toMessage(row.m), conversation: toConversation(row.c) };
  }

  /** A conversation by id. */
  async getConversation(id: number): Promise<ConversationRecord | undefined> {
    const r = await this.conversationRow(this.pool, id);
    return r && toConversation(r);
  }

  /** A conversation by its chat id on a channel. */
  async findConversation(
    bot: string,
    channel: ChannelName,
    chatId: string,
  ): Promise<ConversationRecord | undefined> {
    const r = await queryOne<ConversationRow>(
      this.pool,
      'SELECT * FROM conversations WHERE bot = $1 AND channel = $2 AND external_chat_id = $3',
      [bot, channel, chatId],
    );
    return r && toConversation(r);
  }

  /** Finds or creates a chat's conversation. */
  async ensureConversation(
    c: Parameters<ConversationStore['ensureConversation']>[0],
  ): Promise<ConversationRecord> {
    const now = this.clock.now();
    const r = await queryOne<ConversationRow>(
      this.pool,
      `INSERT INTO conversations (bot, channel, external_chat_id, customer_id, customer_name, language,
         reply_context, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (bot, channel, external_chat_id) DO UPDATE SET
         reply_context = COALESCE(excluded.reply_context, conversations.reply_context)
       RETURNING *`,
      [
        c.bot,
        c.channel,
        c.chatId,
        c.customerId ?? null,
        c.customerName ?? null,
        c.language ?? null,
        c.replyContext === undefined ? null : JSON.stringify(c.replyContext),
        now,
      ],
    );
    return toConversation(r!);
  }

  /** Messages after `afterId`, oldest first. */
  async listMessages(conversationId: number, afterId = 0, limit = 200): Promise<MessageRecord[]> {
    const rows = await query<MessageRow>(
      this.pool,
      'SELECT * FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [conversationId, afterId, limit],
    );
    return rows.map(toMessage);
  }

  /**
   * Commits one processed message's outcome in one transaction. When no client is answered
   * with it (`durable` unset) the commit does not wait for the WAL flush
   * (`synchronous_commit = off`, as SQLite's `withoutDiskSync`): a crash of the server may
   * lose the last few such commits, whose jobs then run again; nothing acknowledged is lost.
   */
  recordOutcome(o: ProcessingOutcome): Promise<RecordedIds> {
    // A reply that need not survive a crash of the database server does not wait for its
    // WAL flush; the setting rides on BEGIN (one round trip).
    const begin = o.durable ? undefined : 'BEGIN; SET LOCAL synchronous_commit = off';
    return withTransaction(
      this.pool,
      async (c) => {
        const now = this.clock.now();
        for (const p of o.predictions) await recordPrediction(c, p, now);
        const d = o.decision;
        const decision = [
          o.messageId,
          d.action,
          d.reason,
          d.category,
          d.confidence,
          JSON.stringify(d.suggestions),
          d.queue,
          d.replyText,
          d.language,
          now,
        ];
        const insertDecision = `INSERT INTO decisions (message_id, action, reason, category, confidence,
             suggestions, queue, reply_text, language, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
        // INSERT OR REPLACE, as on SQLite: a decision already there (a retried job) is
        // replaced, and counts an answer's use again. The first try is the usual case.
        const inserted = await execute(c, `${insertDecision} ON CONFLICT (message_id) DO NOTHING`, decision);
        if (inserted === 0) {
          await execute(c, 'DELETE FROM decisions WHERE message_id = $1', [o.messageId]);
          await execute(c, insertDecision, decision);
        }
        // The conversation's state and the job's completion in one statement.
        const updated = await queryOne<{ id: number }>(
          c,
          `WITH done AS (
             UPDATE jobs SET status = 'done', updated_at = $7, claimed_by = NULL, lease_until = NULL
             WHERE id = $9::BIGINT)
           UPDATE conversations SET status = COALESCE($2::TEXT, status),
             queue = CASE WHEN $8::BOOLEAN THEN $3::TEXT ELSE queue END, language = COALESCE($4, language),
             category = COALESCE($5, category), confidence = COALESCE($6, confidence), updated_at = $7
           WHERE id = $1 RETURNING id`,
          [
            o.conversationId,
            o.conversation.status ?? null,
            o.conversation.queue ?? null,
            o.conversation.language ?? null,
            d.category,
            d.confidence,
            now,
            o.conversation.queue !== undefined,
            o.jobId ?? null,
          ],
        );
        if (!updated) throw new Error(`conversation ${o.conversationId} does not exist`);
        return this.insertReplies(c, o.conversationId, o.channel, o.bot, o.replies, now);
      },
      begin,
    );
  }

  /** Commits replies (an optional state change, and the operator's action) outside the pipeline. */
  recordReplies(
    conversationId: number,
    replies: RecordedReply[],
    change?: ConversationChange,
    action?: OperatorActionRecord,
  ): Promise<RecordedIds> {
    return withTransaction(this.pool, async (c) => {
      const conv = await this.conversationRow(c, conversationId, true);
      if (!conv) throw new Error(`conversation ${conversationId} does not exist`);
      const now = this.clock.now();
      const ids = await this.insertReplies(c, conversationId, conv.channel, conv.bot, replies, now);
      if (change) await this.applyChange(c, conversationId, change, now);
      if (action) await insertOperatorAction(c, action, now);
      return ids;
    });
  }

  /** Changes a conversation's state (with the operator's action, in one transaction). */
  async updateConversation(
    conversationId: number,
    change: ConversationChange,
    action?: OperatorActionRecord,
  ): Promise<ConversationRecord | undefined> {
    const now = this.clock.now();
    const r = action
      ? await withTransaction(this.pool, async (c) => {
          const row = await this.applyChange(c, conversationId, change, now);
          // A refused take stores no action.
          if (row && (change.ifFreeFor === undefined || row.assigned_operator === change.ifFreeFor))
            await insertOperatorAction(c, action, now);
          return row;
        })
      : await this.applyChange(this.pool, conversationId, change, now);
    return r && toConversation(r);
  }

  /** Stores a platform-side operator message and marks the conversation taken. */
  recordOperatorMessage(
    conversationId: number,
    text: string,
    operator: string,
    externalId?: string,
  ): Promise<number> {
    return withTransaction(this.pool, async (c) => {
      const conv = await this.conversationRow(c, conversationId, true);
      if (!conv) throw new Error(`conversation ${conversationId} does not exist`);
      const now = this.clock.now();
      const id = await this.insertOut(c, {
        conversationId,
        author: 'operator',
        operator,
        channel: conv.channel,
        externalId: externalId ?? null,
        text,
        meta: null,
        now,
      });
      await this.applyChange(c, conversationId, { status: 'assigned', assignedOperator: operator }, now);
      return id;
    });
  }

  /** A suggestion from the conversation's last few decisions. */
  async findSuggestion(conversationId: number, answerId: number): Promise<Suggestion | undefined> {
    const rows = await query<DecisionRow>(
      this.pool,
      `SELECT d.* FROM decisions d JOIN messages m ON m.id = d.message_id
       WHERE m.conversation_id = $1 ORDER BY d.message_id DESC LIMIT 5`,
      [conversationId],
    );
    for (const r of rows) {
      const found = toDecision(r).suggestions.find((s) => s.answerId === answerId);
      if (found) return found;
    }
    return undefined;
  }

  /** An inbound message with its conversation, decision and the replies after it. */
  async ticket(messageId: number): Promise<TicketView | undefined> {
    const m = await queryOne<MessageRow>(this.pool, 'SELECT * FROM messages WHERE id = $1', [messageId]);
    if (m?.direction !== 'in') return undefined;
    const [d, conv, replies] = await Promise.all([
      queryOne<DecisionRow>(this.pool, 'SELECT * FROM decisions WHERE message_id = $1', [messageId]),
      this.conversationRow(this.pool, m.conversation_id),
      query<MessageRow>(
        this.pool,
        `SELECT * FROM messages WHERE conversation_id = $1 AND id > $2 AND direction = 'out' ORDER BY id`,
        [m.conversation_id, m.id],
      ),
    ]);
    return {
      message: toMessage(m),
      conversation: toConversation(conv!),
      decision: d ? toDecision(d) : null,
      replies: replies.map(toMessage),
    };
  }

  private conversationRow(db: PgQueryable, id: number, lock = false): Promise<ConversationRow | undefined> {
    return queryOne<ConversationRow>(
      db,
      `SELECT * FROM conversations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
  }

  private async insertOut(
    c: PgClient,
    m: {
      conversationId: number;
      author: string;
      operator: string | null;
      channel: string;
      externalId: string | null;
      text: string;
      meta: string | null;
      now: number;
    },
  ): Promise<number> {
    const row = await queryOne<{ id: number }>(
      c,
      `INSERT INTO messages (conversation_id, direction, author, operator, channel, external_id, text, meta, created_at)
       VALUES ($1, 'out', $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [m.conversationId, m.author, m.operator, m.channel, m.externalId, m.text, m.meta, m.now],
    );
    return row!.id;
  }

  private async insertReplies(
    c: PgClient,
    conversationId: number,
    channel: ChannelName,
    bot: string,
    replies: RecordedReply[],
    now: number,
  ): Promise<RecordedIds> {
    const ids: RecordedIds = { outboxIds: [], messageIds: [] };
    for (const r of replies) {
      let messageId: number | null = null;
      if (r.visible && 'text' in r.action && r.action.text !== undefined) {
        // Buttons and product cards are kept so a chat that resumes shows them as they were sent.
        const meta =
          r.action.kind === 'message' && r.action.buttons
            ? { buttons: r.action.buttons }
            : r.action.kind === 'products'
              ? { heading: r.action.heading, products: r.action.items }
              : null;
        // The message and its sends in one statement.
        const row = await queryOne<{ message_id: number; outbox_ids: number[] | null }>(
          c,
          `WITH m AS (
             INSERT INTO messages (conversation_id, direction, author, operator, channel, external_id, text, meta, created_at)
             VALUES ($1, 'out', $2, $3, $4, NULL, $5, $6, $7) RETURNING id),
           o AS (
             INSERT INTO outbox (conversation_id, message_id, channel, bot, kind, payload, next_attempt_at, created_at)
             SELECT $1, m.id, $4, $8, s.kind, s.payload, $7, $7
             FROM m, unnest($9::text[], $10::text[]) WITH ORDINALITY AS s (kind, payload, n) ORDER BY s.n
             RETURNING id)
           SELECT m.id AS message_id, (SELECT json_agg(id ORDER BY id) FROM o) AS outbox_ids FROM m`,
          [
            conversationId,
            r.author,
            r.operator ?? null,
            channel,
            r.action.text,
            JSON.stringify({ kind: r.action.kind, ...meta }),
            now,
            bot,
            r.sends.map((x) => x.kind),
            r.sends.map((x) => JSON.stringify(x.payload)),
          ],
        );
        messageId = row!.message_id;
        ids.messageIds.push(messageId);
        ids.outboxIds.push(...(row!.outbox_ids ?? []));
        continue;
      }
      for (const send of r.sends) {
        ids.outboxIds.push(
          await enqueueOutbox(
            c,
            { conversationId, messageId, channel, bot, kind: send.kind, payload: send.payload },
            now,
          ),
        );
      }
    }
    return ids;
  }

  /** Applies a change; a take refused by `ifFreeFor` changes nothing and returns the row as it stands. */
  private async applyChange(
    db: PgQueryable,
    conversationId: number,
    change: ConversationChange,
    now: number,
  ): Promise<ConversationRow | undefined> {
    // Of two takes racing, the second waits for the first's row lock, then finds the
    // conversation no longer free (PostgreSQL re-reads the row before updating it).
    const changed = await queryOne<ConversationRow>(
      db,
      `UPDATE conversations SET
         status = COALESCE($2::TEXT, status),
         assigned_operator = CASE WHEN $3::BOOLEAN THEN $4::TEXT ELSE assigned_operator END,
         queue = CASE WHEN $5::BOOLEAN THEN $6::TEXT ELSE queue END,
         category = COALESCE($7::TEXT, category),
         updated_at = $8
       WHERE id = $1 AND ($9::TEXT IS NULL OR assigned_operator IS NULL OR assigned_operator = $9::TEXT)
       RETURNING *`,
      [
        conversationId,
        change.status ?? null,
        change.assignedOperator !== undefined,
        change.assignedOperator ?? null,
        change.queue !== undefined,
        change.queue ?? null,
        change.category ?? null,
        now,
        change.ifFreeFor ?? null,
      ],
    );
    if (changed || change.ifFreeFor === undefined) return changed;
    return this.conversationRow(db, conversationId);
  }
}
