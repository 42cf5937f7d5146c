import type Database from 'better-sqlite3';
import type {
  ConversationChange,
  ConversationRecord,
  ConversationStore,
  OperatorActionRecord,
  ProcessingOutcome,
  RecordedIds,
  RecordedReply,
  TicketView,
} from '../../core/conversation-port.js';
import type { ChannelName, Clock, Suggestion } from '../../core/ports.js';
import { withoutDiskSync } from '../database.js';
import {
  type ConversationRow,
  type DecisionRow,
  type MessageRow,
  toConversation,
  toDecision,
  toMessage,
} from './conversation-rows.js';
import type { SqliteJobQueue } from './jobs.js';
import { operatorActionInserter } from './operator-actions.js';
import type { SqliteOutbox } from './outbox.js';
import type { SqlitePredictionLog } from './predictions.js';

type Change = ConversationChange;

/**
 * Conversations, their messages and decisions. Every write that the customer could notice
 * (a reply, a status change) commits together with its outbox items.
 */
export class SqliteConversations implements ConversationStore {
  private readonly s;
  private readonly insertAction: (a: OperatorActionRecord) => number;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
    private readonly outbox: SqliteOutbox,
    private readonly predictions: SqlitePredictionLog,
    private readonly jobs: SqliteJobQueue,
  ) {
    this.insertAction = operatorActionInserter(db, clock);
    this.s = {
      conversation: db.prepare<[number], ConversationRow>('SELECT * FROM conversations WHERE id = ?'),
      byChat: db.prepare<[string, string, string], ConversationRow>(
        'SELECT * FROM conversations WHERE bot = ? AND channel = ? AND external_chat_id = ?',
      ),
      upsert: db.prepare<Record<string, unknown>, ConversationRow>(
        `INSERT INTO conversations (bot, channel, external_chat_id, customer_id, customer_name, language,
           reply_context, created_at, updated_at)
         VALUES (@bot, @channel, @chatId, @customerId, @customerName, @language, @replyContext, @now, @now)
         ON CONFLICT (bot, channel, external_chat_id) DO UPDATE SET
           reply_context = COALESCE(excluded.reply_context, reply_context)
         RETURNING *`,
      ),
      message: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      messagesAfter: db.prepare<[number, number, number], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?',
      ),
      repliesAfter: db.prepare<[number, number], MessageRow>(
        `SELECT * FROM messages WHERE conversation_id = ? AND id > ? AND direction = 'out' ORDER BY id`,
      ),
      decision: db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE message_id = ?'),
      recentDecisions: db.prepare<[number], DecisionRow>(
        `SELECT d.* FROM decisions d JOIN messages m ON m.id = d.message_id
         WHERE m.conversation_id = ? ORDER BY d.message_id DESC LIMIT 5`,
      ),
      insertDecision: db.prepare(
        `INSERT OR REPLACE INTO decisions (message_id, action, reason, category, confidence, suggestions, queue,
           reply_text, language, created_at)
         VALUES (@messageId, @action, @reason, @category, @confidence, @suggestions, @queue, @replyText, @language, @now)`,
      ),
      insertOut: db.prepare(
        `INSERT INTO messages (conversation_id, direction, author, operator, channel, external_id, text, meta, created_at)
         VALUES (@conversationId, 'out', @author, @operator, @channel, @externalId, @text, @meta, @now)`,
      ),
      classified: db.prepare(
        `UPDATE conversations SET status = @status, queue = @queue, language = COALESCE(@language, language),
           category = COALESCE(@category, category), confidence = COALESCE(@confidence, confidence), updated_at = @now
         WHERE id = @id`,
      ),
      change: db.prepare<Record<string, unknown>, ConversationRow>(
        `UPDATE conversations SET
           status = COALESCE(@status, status),
           assigned_operator = CASE WHEN @setOperator THEN @operator ELSE assigned_operator END,
           queue = CASE WHEN @setQueue THEN @queue ELSE queue END,
           category = COALESCE(@category, category),
           updated_at = @now
         WHERE id = @id
           AND (@ifFreeFor IS NULL OR assigned_operator IS NULL OR assigned_operator = @ifFreeFor)
         RETURNING *`,
      ),
    };
  }

  /** A message with its conversation. */
  async loadMessage(messageId: number) {
    const m = this.s.message.get(messageId);
    if (!m) return undefined;
    const c = this.s.conversation.get(m.conversation_id)!;
    return { message: toMessage(m), conversation: toConversation(c) };
  }

  /** A conversation by id. */
  async getConversation(id: number): Promise<ConversationRecord | undefined> {
    const r = this.s.conversation.get(id);
    return r && toConversation(r);
  }

  /** A conversation by its chat id on a channel. */
  async findConversation(
    bot: string,
    channel: ChannelName,
    chatId: string,
  ): Promise<ConversationRecord | undefined> {
    const r = this.s.byChat.get(bot, channel, chatId);
    return r && toConversation(r);
  }

  /** Finds or creates a chat's conversation. */
  async ensureConversation(
    c: Parameters<ConversationStore['ensureConversation']>[0],
  ): Promise<ConversationRecord> {
    return toConversation(
      this.s.upsert.get({
        bot: c.bot,
        channel: c.channel,
        chatId: c.chatId,
        customerId: c.customerId ?? null,
        customerName: c.customerName ?? null,
        language: c.language ?? null,
        replyContext: c.replyContext === undefined ? null : JSON.stringify(c.replyContext),
        now: this.clock.now(),
      })!,
    );
  }

  /** Messages after `afterId`, oldest first. */
  async listMessages(conversationId: number, afterId = 0, limit = 200) {
    return this.s.messagesAfter.all(conversationId, afterId, limit).map(toMessage);
  }

  /**
   * Commits one processed message's outcome in one transaction; synced to disk only when a
   * client is answered with it (`durable`), otherwise it rides on the next synced commit.
   */
  async recordOutcome(o: ProcessingOutcome): Promise<RecordedIds> {
    const commit = () =>
      this.db
        .transaction((): RecordedIds => {
          const now = this.clock.now();
          for (const p of o.predictions) this.predictions.recordNow(p);
          const d = o.decision;
          this.s.insertDecision.run({
            messageId: o.messageId,
            action: d.action,
            reason: d.reason,
            category: d.category,
            confidence: d.confidence,
            suggestions: JSON.stringify(d.suggestions),
            queue: d.queue,
            replyText: d.replyText,
            language: d.language,
            now,
          });
          const current = this.s.conversation.get(o.conversationId)!;
          this.s.classified.run({
            id: o.conversationId,
            status: o.conversation.status ?? current.status,
            queue: o.conversation.queue === undefined ? current.queue : o.conversation.queue,
            language: o.conversation.language ?? null,
            category: d.category,
            confidence: d.confidence,
            now,
          });
          const ids = this.insertReplies(o.conversationId, o.channel, o.bot, o.replies, now);
          if (o.jobId !== undefined) this.jobs.completeNow(o.jobId);
          return ids;
        })
        .immediate();
    return o.durable ? commit() : withoutDiskSync(this.db, commit);
  }

  /** Commits replies (and an optional state change and operator's action) outside the pipeline, in one transaction. */
  async recordReplies(
    conversationId: number,
    replies: RecordedReply[],
    change?: Change,
    action?: OperatorActionRecord,
  ): Promise<RecordedIds> {
    return this.db
      .transaction((): RecordedIds => {
        const c = this.s.conversation.get(conversationId);
        if (!c) throw new Error(`conversation ${conversationId} does not exist`);
        if (action) this.insertAction(action);
        const ids = this.insertReplies(conversationId, c.channel, c.bot, replies, this.clock.now());
        if (change) this.applyChange(conversationId, change);
        return ids;
      })
      .immediate();
  }

  /** Changes a conversation's state, with the operator's action that changed it in the same transaction. */
  async updateConversation(
    conversationId: number,
    change: Change,
    action?: OperatorActionRecord,
  ): Promise<ConversationRecord | undefined> {
    const r = action
      ? this.db
          .transaction(() => {
            const updated = this.applyChange(conversationId, change);
            // A refused take stores no action.
            if (updated && (change.ifFreeFor === undefined || updated.assigned_operator === change.ifFreeFor))
              this.insertAction(action);
            return updated;
          })
          .immediate()
      : this.applyChange(conversationId, change);
    return r && toConversation(r);
  }

  /** Stores a platform-side operator message and marks the conversation taken. */
  async recordOperatorMessage(
    conversationId: number,
    text: string,
    operator: string,
    externalId?: string,
  ): Promise<number> {
    return this.db
      .transaction((): number => {
        const c = this.s.conversation.get(conversationId);
        if (!c) throw new Error(`conversation ${conversationId} does not exist`);
        const id = Number(
          this.s.insertOut.run({
            conversationId,
            author: 'operator',
            operator,
            channel: c.channel,
            externalId: externalId ?? null,
            text,
            meta: null,
            now: this.clock.now(),
          }).lastInsertRowid,
        );
        this.applyChange(conversationId, { status: 'assigned', assignedOperator: operator });
        return id;
      })
      .immediate();
  }

  /** A suggestion from the conversation's last few decisions. */
  async findSuggestion(conversationId: number, answerId: number): Promise<Suggestion | undefined> {
    for (const r of this.s.recentDecisions.all(conversationId)) {
      const found = toDecision(r).suggestions.find((s) => s.answerId === answerId);
      if (found) return found;
    }
    return undefined;
  }

  /** An inbound message with its conversation, decision and the replies after it. */
  async ticket(messageId: number): Promise<TicketView | undefined> {
    const m = this.s.message.get(messageId);
    if (m?.direction !== 'in') return undefined;
    const d = this.s.decision.get(messageId);
    return {
      message: toMessage(m),
      conversation: toConversation(this.s.conversation.get(m.conversation_id)!),
      decision: d ? toDecision(d) : null,
      replies: this.s.repliesAfter.all(m.conversation_id, m.id).map(toMessage),
    };
  }

  private insertReplies(
    conversationId: number,
    channel: ChannelName,
    bot: string,
    replies: RecordedReply[],
    now: number,
  ): RecordedIds {
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
        messageId = Number(
          this.s.insertOut.run({
            conversationId,
            author: r.author,
            operator: r.operator ?? null,
            channel,
            externalId: null,
            text: r.action.text,
            meta: JSON.stringify({ kind: r.action.kind, ...meta }),
            now,
          }).lastInsertRowid,
        );
        ids.messageIds.push(messageId);
      }
      for (const send of r.sends) {
        ids.outboxIds.push(
          this.outbox.enqueueNow({
            conversationId,
            messageId,
            channel,
            bot,
            kind: send.kind,
            payload: send.payload,
          }),
        );
      }
    }
    return ids;
  }

  /** Applies a change; a take refused by `ifFreeFor` changes nothing and returns the row as it stands. */
  private applyChange(conversationId: number, change: Change): ConversationRow | undefined {
    const changed = this.s.change.get({
      id: conversationId,
      status: change.status ?? null,
      setOperator: change.assignedOperator !== undefined ? 1 : 0,
      operator: change.assignedOperator ?? null,
      setQueue: change.queue !== undefined ? 1 : 0,
      queue: change.queue ?? null,
      category: change.category ?? null,
      ifFreeFor: change.ifFreeFor ?? null,
      now: this.clock.now(),
    });
    return changed ?? (change.ifFreeFor === undefined ? undefined : this.s.conversation.get(conversationId));
  }
}
