import type Database from 'better-sqlite3';
import type {
  ConsoleNote,
  ConsoleOperator,
  ConsoleStats,
  ConsoleStore,
  KbHit,
  MessagePredictions,
  OperatorActionRecord,
  SavedReply,
  StoredMessage,
  StoredQueueItem,
} from '../../console/console-store-port.js';
import type { Clock, Suggestion } from '../../core/ports.js';
import { SqliteConsoleStats } from './console-stats.js';
import { operatorActionInserter } from './operator-actions.js';

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

// The customer's waiting started with the first inbound message after the last operator reply,
// or after the message a resolve or hand-back closed (a reopened conversation waits anew).
const QUEUE_SELECT = `
  WITH since AS (
    SELECT c.id AS cid, MAX(
      COALESCE((SELECT MAX(id) FROM messages WHERE conversation_id = c.id AND author = 'operator'), 0),
      COALESCE((SELECT MAX(message_id) FROM operator_actions
        WHERE conversation_id = c.id AND action IN ('resolve', 'hand_back')), 0)
    ) AS after
    FROM conversations c
    WHERE (@any = 1 OR c.status IN ('queued', 'assigned')) AND (@id IS NULL OR c.id = @id)
  )
  SELECT c.id, c.bot, c.channel, c.customer_id, c.customer_name, c.status, c.queue, c.assigned_operator, c.category,
    c.confidence, c.language, c.updated_at,
    (SELECT text FROM messages WHERE conversation_id = c.id AND direction = 'in' AND id > s.after ORDER BY id LIMIT 1) AS first_line,
    (SELECT text FROM messages WHERE conversation_id = c.id AND direction = 'in' ORDER BY id DESC LIMIT 1) AS last_line,
    (SELECT MIN(created_at) FROM messages WHERE conversation_id = c.id AND direction = 'in' AND id > s.after) AS waiting_since
  FROM since s JOIN conversations c ON c.id = s.cid`;

/** The console search's statement; `fold` wraps a text column (or not) before LIKE. */
const searchSql = (fold: (column: string) => string) => `SELECT c.id FROM conversations c
  WHERE c.id = @id OR c.customer_id = @exact OR c.external_chat_id = @exact
    OR ${fold('c.customer_name')} LIKE @like ESCAPE '\\' OR ${fold('c.category')} LIKE @like ESCAPE '\\'
    OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND ${fold('m.text')} LIKE @like ESCAPE '\\')
  ORDER BY c.updated_at DESC, c.id DESC LIMIT @limit`;

/** True when every character of `s` is ASCII (SQLite's LIKE folds the case of those itself). */
const isAscii = (s: string) => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
};

const line = (text: string | null) => {
  const first = (text ?? '').split('\n', 1)[0]!.trim();
  return first.length > 140 ? `${first.slice(0, 139)}…` : first;
};

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

/** What the operators' console reads and writes: the queue, histories, predictions, actions, stats. */
export class SqliteConsoleStore implements ConsoleStore {
  private readonly s;
  private readonly statsQueries: SqliteConsoleStats;
  private readonly insertAction: (a: OperatorActionRecord) => number;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.statsQueries = new SqliteConsoleStats(db);
    // SQLite's LIKE folds only ASCII letters; queries with other letters (Cyrillic) compare
    // lower-cased text instead, so "ПЕТРОВА" finds "Петрова" as it does on PostgreSQL.
    db.function('casefold', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    );
    this.insertAction = operatorActionInserter(db, clock);
    this.s = {
      operators: db.prepare<[], ConsoleOperator>(
        'SELECT login, name, role, language FROM operators WHERE active = 1 ORDER BY login',
      ),
      setLanguage: db.prepare('UPDATE operators SET language = ? WHERE login = ?'),
      createdCategories: db.prepare<[string], { name: string }>(
        'SELECT name FROM console_categories WHERE bot = ? ORDER BY name',
      ),
      createCategory: db.prepare(
        'INSERT OR IGNORE INTO console_categories (bot, name, created_by, created_at) VALUES (?, ?, ?, ?)',
      ),
      search: db.prepare<{ id: number; exact: string; like: string; limit: number }, { id: number }>(
        searchSql((column) => column),
      ),
      searchFolded: db.prepare<{ id: number; exact: string; like: string; limit: number }, { id: number }>(
        searchSql((column) => `casefold(${column})`),
      ),
      earlier: db.prepare<[number, number], { id: number }>(
        `SELECT o.id FROM conversations c JOIN conversations o
           ON o.customer_id = c.customer_id AND o.channel = c.channel AND o.id != c.id
         WHERE c.id = ? AND c.customer_id IS NOT NULL ORDER BY o.updated_at DESC LIMIT ?`,
      ),
      addNote: db.prepare<[number, string, string, number], { id: number }>(
        'INSERT INTO console_notes (conversation_id, operator, text, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      ),
      notes: db.prepare<[number], { id: number; operator: string; text: string; created_at: number }>(
        'SELECT id, operator, text, created_at FROM console_notes WHERE conversation_id = ? ORDER BY id',
      ),
      savedReplies: db.prepare<[string], SavedReply>(
        'SELECT id, title, text FROM console_saved_replies WHERE operator = ? ORDER BY title, id',
      ),
      saveReply: db.prepare<[string, string, string, number], { id: number }>(
        'INSERT INTO console_saved_replies (operator, title, text, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      ),
      queue: db.prepare<{ id: number | null; any: 0 | 1 }, QueueRow>(QUEUE_SELECT),
      messages: db.prepare<[number, number], MessageRow>(
        `SELECT id, direction, author, operator, text, created_at FROM messages
         WHERE conversation_id = ? ORDER BY id DESC LIMIT ?`,
      ),
      messagesById: db.prepare<[string], MessageRow & { conversation_id: number }>(
        `SELECT id, conversation_id, direction, author, operator, text, created_at FROM messages
         WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      ),
      lastInbound: db.prepare<[number], { id: number; text: string }>(
        `SELECT id, text FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY id DESC LIMIT 1`,
      ),
      lastDecision: db.prepare<[number], { suggestions: string }>(
        `SELECT d.suggestions FROM decisions d JOIN messages m ON m.id = d.message_id
         WHERE m.conversation_id = ? ORDER BY d.message_id DESC LIMIT 1`,
      ),
      predictions: db.prepare<
        [number],
        {
          id: number;
          kind: string;
          net_name: string;
          net_version: string;
          label: string | null;
          confidence: number | null;
        }
      >(
        'SELECT id, kind, net_name, net_version, label, confidence FROM predictions WHERE message_id = ? ORDER BY id',
      ),
    };
  }

  /** Conversations waiting for or being handled by an operator. */
  async queue(): Promise<StoredQueueItem[]> {
    return this.s.queue.all({ id: null, any: 0 }).map(toItem);
  }

  /** One conversation's queue line, or undefined if it is not with the operators. */
  async queueItem(conversationId: number): Promise<StoredQueueItem | undefined> {
    const row = this.s.queue.get({ id: conversationId, any: 0 });
    return row && toItem(row);
  }

  /** One conversation's line whatever its status (a resolved one opens read-only). */
  async conversationItem(conversationId: number): Promise<StoredQueueItem | undefined> {
    const row = this.s.queue.get({ id: conversationId, any: 1 });
    return row && toItem(row);
  }

  /** The active operators, for assigning and transferring. */
  async operators(): Promise<ConsoleOperator[]> {
    return this.s.operators.all();
  }

  /** Stores the language an operator chose for the console. */
  async setOperatorLanguage(login: string, language: 'en' | 'ru'): Promise<void> {
    this.s.setLanguage.run(language, login);
  }

  /** Categories operators created for a bot (not yet known to its classifier). */
  async createdCategories(bot: string): Promise<string[]> {
    return this.s.createdCategories.all(bot).map((r) => r.name);
  }

  /** Records a category an operator created; false when it already existed. */
  async createCategory(bot: string, name: string, operator: string): Promise<boolean> {
    return this.s.createCategory.run(bot, name, operator, this.clock.now()).changes > 0;
  }

  /** Conversations of any status matching an id, a customer, a category or a message's text; newest first. */
  async search(query: string, limit: number): Promise<StoredQueueItem[]> {
    const q = query.trim();
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const id = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : -1;
    const stmt = isAscii(q) ? this.s.search : this.s.searchFolded;
    return this.items(stmt.all({ id, exact: q, like: like.toLowerCase(), limit }).map((r) => r.id));
  }

  /** The customer's other conversations, newest first. */
  async earlierConversations(conversationId: number, limit: number): Promise<StoredQueueItem[]> {
    return this.items(this.s.earlier.all(conversationId, limit).map((r) => r.id));
  }

  /** Stores an internal note. */
  async addNote(conversationId: number, operator: string, text: string): Promise<ConsoleNote> {
    const createdAt = this.clock.now();
    const { id } = this.s.addNote.get(conversationId, operator, text, createdAt)!;
    return { id, conversationId, operator, text, createdAt };
  }

  /** A conversation's internal notes, oldest first. */
  async notes(conversationId: number): Promise<ConsoleNote[]> {
    return this.s.notes.all(conversationId).map((r) => ({
      id: r.id,
      conversationId,
      operator: r.operator,
      text: r.text,
      createdAt: r.created_at,
    }));
  }

  /** An operator's saved replies, by title. */
  async savedReplies(operator: string): Promise<SavedReply[]> {
    return this.s.savedReplies.all(operator);
  }

  /** Saves a reply for an operator's reuse. */
  async saveReply(operator: string, title: string, text: string): Promise<SavedReply> {
    const { id } = this.s.saveReply.get(operator, title, text, this.clock.now())!;
    return { id, title, text };
  }

  /** Active answers of a knowledge base containing every word of `query`, most used first. */
  async kbSearch(kb: string, query: string, limit: number): Promise<KbHit[]> {
    const words = query.trim().split(/\s+/).filter(Boolean).slice(0, 8);
    const text = isAscii(query) ? 'text' : 'casefold(text)';
    const where = words.map((_, i) => `${text} LIKE @w${i} ESCAPE '\\'`).join(' AND ') || '1 = 1';
    const params: Record<string, unknown> = { kb, limit };
    words.forEach((w, i) => {
      params[`w${i}`] = `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`.toLowerCase();
    });
    return this.db
      .prepare<
        Record<string, unknown>,
        { id: number; text: string; category: string | null; language: string }
      >(
        `SELECT id, text, category, language FROM kb_answers WHERE kb = @kb AND active = 1 AND ${where}
         ORDER BY usage_count DESC, id LIMIT @limit`,
      )
      .all(params)
      .map((r) => ({ answerId: r.id, text: r.text, category: r.category, language: r.language }));
  }

  private items(ids: number[]): StoredQueueItem[] {
    return ids.flatMap((id) => {
      const row = this.s.queue.get({ id, any: 1 });
      return row ? [toItem(row)] : [];
    });
  }

  /** The last `limit` messages of a conversation, oldest first. */
  async history(conversationId: number, limit = 200): Promise<StoredMessage[]> {
    return this.s.messages.all(conversationId, limit).reverse().map(toMessage);
  }

  /** Messages by id, with their conversation. */
  async messagesById(ids: readonly number[]): Promise<Array<StoredMessage & { conversationId: number }>> {
    return this.s.messagesById
      .all(JSON.stringify(ids))
      .map((r) => ({ ...toMessage(r), conversationId: r.conversation_id }));
  }

  /** The latest customer message of a conversation. */
  async lastInbound(conversationId: number): Promise<{ id: number; text: string } | undefined> {
    return this.s.lastInbound.get(conversationId);
  }

  /** The suggestions of the latest decision in a conversation. */
  async latestSuggestions(conversationId: number): Promise<Suggestion[]> {
    const row = this.s.lastDecision.get(conversationId);
    return row ? (JSON.parse(row.suggestions) as Suggestion[]) : [];
  }

  /** The predictions made on a message: their ids, the nets' versions, and the classification. */
  async predictionsFor(messageId: number): Promise<MessagePredictions> {
    const rows = this.s.predictions.all(messageId);
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
    return this.insertAction(a);
  }

  /** The stats page's figures over the last `days` days. */
  async stats(now: number, days: number, latestReport: string | null): Promise<ConsoleStats> {
    return this.statsQueries.compute(now, days, latestReport);
  }
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
