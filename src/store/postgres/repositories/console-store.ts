import type {
  ConsoleNote,
  ConsoleOperator,
  ConsoleStats,
  ConsoleStore,
  KbHit,
  MessagePredictions,
  SavedReply,
  StoredMessage,
  StoredQueueItem,
} from '../../../console/console-store-port.js';
import type { OperatorActionRecord } from '../../../core/conversation-port.js';
import type { Clock, Suggestion } from '../../../core/ports.js';
import type { PgPool } from '../db.js';
import { PgConsoleStats } from './console-stats.js';
import { USAGE_COUNT } from './kb-answers.js';

interface QueueRow {
  id: number;
  bot: string;
  channel: string;
  customer_id: string | null;
  customer_name: string | null;
  status: StoredQueueItem['status'];
  queue: string | null;
  assigned_operator: string | null;
  category: string | null;
  confidence: number | null;
  language: string | null;
  updated_at: number;
  first_line: string | null;
  last_line: string | null;
  waiting_since: number | null;
}

interface MessageRow {
  id: number;
  direction: 'in' | 'out';
  author: StoredMessage['author'];
  operator: string | null;
  text: string;
  created_at: number;
}

// As in the SQLite store: the customer's waiting started with the first inbound message after
// the last operator reply, or after the message a resolve or hand-back closed.
// $1: any status (1) or only queued/assigned (0); $2: one conversation id or null for all.
const QUEUE_SELECT = `
  WITH since AS (
    SELECT c.id AS cid, GREATEST(
      COALESCE((SELECT MAX(id) FROM messages WHERE conversation_id = c.id AND author = 'operator'), 0),
      COALESCE((SELECT MAX(message_id) FROM operator_actions
        WHERE conversation_id = c.id AND action IN ('resolve', 'hand_back')), 0)
    ) AS after
    FROM conversations c
    WHERE ($1::int = 1 OR c.status IN ('queued', 'assigned')) AND ($2::bigint IS NULL OR c.id = $2)
  )
  SELECT c.id, c.bot, c.channel, c.customer_id, c.customer_name, c.status, c.queue, c.assigned_operator, c.category,
    c.confidence, c.language, c.updated_at,
    (SELECT text FROM messages WHERE conversation_id = c.id AND direction = 'in' AND id > s.after ORDER BY id LIMIT 1) AS first_line,
    (SELECT text FROM messages WHERE conversation_id = c.id AND direction = 'in' ORDER BY id DESC LIMIT 1) AS last_line,
    (SELECT MIN(created_at) FROM messages WHERE conversation_id = c.id AND direction = 'in' AND id > s.after) AS waiting_since
  FROM since s JOIN conversations c ON c.id = s.cid`;

// Case-insensitive for every script, whatever the database's LC_CTYPE: ILIKE folds case by
// the expression's collation, and the ICU root collation folds Cyrillic as well as Latin.
const ILIKE = `ILIKE`;
const FOLD = `COLLATE "und-x-icu"`;

const line = (text: string | null) => {
  const first = (text ?? '').split('\n', 1)[0]!.trim();
  return first.length > 140 ? `${first.slice(0, 139)}…` : first;
};

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function toItem(r: QueueRow): StoredQueueItem {
  return {
    conversationId: r.id,
    bot: r.bot,
    channel: r.channel,
    customer: { id: r.customer_id, name: r.customer_name },
    firstLine: line(r.first_line ?? r.last_line),
    lastLine: line(r.last_line),
    category: r.category,
    confidence: r.confidence,
    status: r.status,
    queue: r.queue,
    assignedTo: r.assigned_operator,
    waitingSince: r.waiting_since ?? r.updated_at,
    language: r.language,
  };
}

function toMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    direction: r.direction,
    author: r.author,
    operator: r.operator,
    text: r.text,
    createdAt: r.created_at,
  };
}

/** What the operators' console reads and writes, in PostgreSQL; as the SQLite store. */
export class PgConsoleStore implements ConsoleStore {
  private readonly statsQueries: PgConsoleStats;

  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {
    this.statsQueries = new PgConsoleStats(pool);
  }

  private async rows<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R & Record<string, unknown>>(sql, params)).rows;
  }

  /** Conversations waiting for or being handled by an operator. */
  async queue(): Promise<StoredQueueItem[]> {
    return (await this.rows<QueueRow>(`${QUEUE_SELECT} ORDER BY c.id`, [0, null])).map(toItem);
  }

  /** One conversation's queue line, or undefined if it is not with the operators. */
  async queueItem(conversationId: number): Promise<StoredQueueItem | undefined> {
    const [row] = await this.rows<QueueRow>(QUEUE_SELECT, [0, conversationId]);
    return row && toItem(row);
  }

  /** One conversation's line whatever its status (a resolved one opens read-only). */
  async conversationItem(conversationId: number): Promise<StoredQueueItem | undefined> {
    const [row] = await this.rows<QueueRow>(QUEUE_SELECT, [1, conversationId]);
    return row && toItem(row);
  }

  /** The active operators, for assigning and transferring. */
  async operators(): Promise<ConsoleOperator[]> {
    return this.rows<ConsoleOperator>(
      'SELECT login, name, role, language FROM operators WHERE active = 1 ORDER BY login COLLATE "C"',
    );
  }

  /** Stores the language an operator chose for the console. */
  async setOperatorLanguage(login: string, language: 'en' | 'ru'): Promise<void> {
    await this.rows('UPDATE operators SET language = $1 WHERE login = $2', [language, login]);
  }

  /** Categories operators created for a bot (not yet known to its classifier). */
  async createdCategories(bot: string): Promise<string[]> {
    const rows = await this.rows<{ name: string }>(
      'SELECT name FROM console_categories WHERE bot = $1 ORDER BY name COLLATE "C"',
      [bot],
    );
    return rows.map((r) => r.name);
  }

  /** Records a category an operator created; false when it already existed. */
  async createCategory(bot: string, name: string, operator: string): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO console_categories (bot, name, created_by, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [bot, name, operator, this.clock.now()],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Conversations of any status matching an id, a customer, a category or a message's text; newest first. */
  async search(query: string, limit: number): Promise<StoredQueueItem[]> {
    const q = query.trim();
    const id = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : -1;
    const rows = await this.rows<{ id: number }>(
      `SELECT c.id FROM conversations c
       WHERE c.id = $1 OR c.customer_id = $2 OR c.external_chat_id = $2
         OR c.customer_name ${ILIKE} $3 ${FOLD} OR c.category ${ILIKE} $3 ${FOLD}
         OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.text ${ILIKE} $3 ${FOLD})
       ORDER BY c.updated_at DESC, c.id DESC LIMIT $4`,
      [Number.isSafeInteger(id) ? id : -1, q, likePattern(q), limit],
    );
    return this.items(rows.map((r) => r.id));
  }

  /** The customer's other conversations, newest first. */
  async earlierConversations(conversationId: number, limit: number): Promise<StoredQueueItem[]> {
    const rows = await this.rows<{ id: number }>(
      `SELECT o.id FROM conversations c JOIN conversations o
         ON o.customer_id = c.customer_id AND o.channel = c.channel AND o.id <> c.id
       WHERE c.id = $1 AND c.customer_id IS NOT NULL ORDER BY o.updated_at DESC, o.id DESC LIMIT $2`,
      [conversationId, limit],
    );
    return this.items(rows.map((r) => r.id));
  }

  /** Stores an internal note. */
  async addNote(conversationId: number, operator: string, text: string): Promise<ConsoleNote> {
    const createdAt = this.clock.now();
    const [row] = await this.rows<{ id: number }>(
      'INSERT INTO console_notes (conversation_id, operator, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [conversationId, operator, text, createdAt],
    );
    return { id: row!.id, conversationId, operator, text, createdAt };
  }

  /** A conversation's internal notes, oldest first. */
  async notes(conversationId: number): Promise<ConsoleNote[]> {
    const rows = await this.rows<{ id: number; operator: string; text: string; created_at: number }>(
      'SELECT id, operator, text, created_at FROM console_notes WHERE conversation_id = $1 ORDER BY id',
      [conversationId],
    );
    return rows.map((r) => ({
      id: r.id,
      conversationId,
      operator: r.operator,
      text: r.text,
      createdAt: r.created_at,
    }));
  }

  /** An operator's saved replies, by title. */
  async savedReplies(operator: string): Promise<SavedReply[]> {
    return this.rows<SavedReply>(
      'SELECT id, title, text FROM console_saved_replies WHERE operator = $1 ORDER BY title COLLATE "C", id',
      [operator],
    );
  }

  /** Saves a reply for an operator's reuse. */
  async saveReply(operator: string, title: string, text: string): Promise<SavedReply> {
    const [row] = await this.rows<{ id: number }>(
      'INSERT INTO console_saved_replies (operator, title, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [operator, title, text, this.clock.now()],
    );
    return { id: row!.id, title, text };
  }

  /** Active answers of a knowledge base containing every word of `query`, most used first. */
  async kbSearch(kb: string, query: string, limit: number): Promise<KbHit[]> {
    const words = query.trim().split(/\s+/).filter(Boolean).slice(0, 8);
    const where = words.map((_, i) => `text ${ILIKE} $${i + 3} ${FOLD}`).join(' AND ') || 'TRUE';
    const rows = await this.rows<{ id: number; text: string; category: string | null; language: string }>(
      `SELECT id, text, category, language FROM kb_answers WHERE kb = $1 AND active = 1 AND ${where}
       ORDER BY ${USAGE_COUNT} DESC, id LIMIT $2`,
      [kb, limit, ...words.map(likePattern)],
    );
    return rows.map((r) => ({ answerId: r.id, text: r.text, category: r.category, language: r.language }));
  }

  private async items(ids: number[]): Promise<StoredQueueItem[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows<QueueRow>(
      QUEUE_SELECT.replace('($2::bigint IS NULL OR c.id = $2)', 'c.id = ANY($2::bigint[])'),
      [1, ids],
    );
    const byId = new Map(rows.map((r) => [r.id, toItem(r)]));
    return ids.flatMap((id) => {
      const item = byId.get(id);
      return item ? [item] : [];
    });
  }

  /** The last `limit` messages of a conversation, oldest first. */
  async history(conversationId: number, limit = 200): Promise<StoredMessage[]> {
    const rows = await this.rows<MessageRow>(
      `SELECT id, direction, author, operator, text, created_at FROM messages
       WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2`,
      [conversationId, limit],
    );
    return rows.reverse().map(toMessage);
  }

  /** Messages by id, with their conversation. */
  async messagesById(ids: readonly number[]): Promise<Array<StoredMessage & { conversationId: number }>> {
    const rows = await this.rows<MessageRow & { conversation_id: number }>(
      `SELECT id, conversation_id, direction, author, operator, text, created_at FROM messages
       WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    return rows.map((r) => ({ ...toMessage(r), conversationId: r.conversation_id }));
  }

  /** The latest customer message of a conversation. */
  async lastInbound(conversationId: number): Promise<{ id: number; text: string } | undefined> {
    const [row] = await this.rows<{ id: number; text: string }>(
      `SELECT id, text FROM messages WHERE conversation_id = $1 AND direction = 'in' ORDER BY id DESC LIMIT 1`,
      [conversationId],
    );
    return row;
  }

  /** The suggestions of the latest decision in a conversation. */
  async latestSuggestions(conversationId: number): Promise<Suggestion[]> {
    const [row] = await this.rows<{ suggestions: string }>(
      `SELECT d.suggestions FROM decisions d JOIN messages m ON m.id = d.message_id
       WHERE m.conversation_id = $1 ORDER BY d.message_id DESC LIMIT 1`,
      [conversationId],
    );
    return row ? (JSON.parse(row.suggestions) as Suggestion[]) : [];
  }

  /** The predictions made on a message: their ids, the nets' versions, and the classification. */
  async predictionsFor(messageId: number): Promise<MessagePredictions> {
    const rows = await this.rows<{
      id: number;
      kind: string;
      net_name: string;
      net_version: string;
      label: string | null;
      confidence: number | null;
    }>(
      'SELECT id, kind, net_name, net_version, label, confidence FROM predictions WHERE message_id = $1 ORDER BY id',
      [messageId],
    );
    const netVersions: Record<string, string> = {};
    let classification: MessagePredictions['classification'] = null;
    for (const r of rows) {
      netVersions[r.kind === 'classify' ? 'classifier' : 'qa'] = `${r.net_name}@${r.net_version}`;
      if (r.kind === 'classify' && r.label !== null) {
        classification = {
          category: r.label,
          confidence: r.confidence ?? 0,
          net: { name: r.net_name, version: r.net_version },
        };
      }
    }
    return { predictionIds: rows.map((r) => r.id), netVersions, classification };
  }

  /** Stores an operator's action with the nets' versions; returns its id. */
  async recordAction(a: OperatorActionRecord): Promise<number> {
    const [row] = await this.rows<{ id: number }>(
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
        this.clock.now(),
      ],
    );
    return row!.id;
  }

  /** The stats page's figures over the last `days` days. */
  async stats(now: number, days: number, latestReport: string | null): Promise<ConsoleStats> {
    return this.statsQueries.compute(now, days, latestReport);
  }
}
