/**
 * Rows the console, label and knowledge-base cases read but do not write themselves
 * (conversations, messages, decisions, predictions, operators), inserted with plain SQL
 * that both engines accept.
 */
import type { StoreFixture } from './engines.js';

/** Seeds rows through one engine's SQL. */
export class Seed {
  constructor(private readonly c: StoreFixture) {}

  async conversation(o: {
    bot?: string;
    channel?: string;
    chat: string;
    customerId?: string | null;
    customerName?: string | null;
    status?: 'bot' | 'queued' | 'assigned' | 'resolved';
    category?: string | null;
    assignedOperator?: string | null;
    updatedAt?: number;
  }): Promise<number> {
    const t = o.updatedAt ?? this.c.clock.now();
    const [row] = await this.c.sql<{ id: number }>(
      `INSERT INTO conversations (bot, channel, external_chat_id, customer_id, customer_name, status, category,
         assigned_operator, confidence, language, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0.5, 'en', ?, ?) RETURNING id`,
      [
        o.bot ?? 'desk',
        o.channel ?? 'rest',
        o.chat,
        o.customerId === undefined ? `cust-${o.chat}` : o.customerId,
        o.customerName ?? null,
        o.status ?? 'queued',
        o.category ?? null,
        o.assignedOperator ?? null,
        t,
        t,
      ],
    );
    return Number(row!.id);
  }

  async message(
    conversationId: number,
    text: string,
    o: {
      direction?: 'in' | 'out';
      author?: 'customer' | 'bot' | 'operator' | 'system';
      operator?: string;
      at?: number;
    } = {},
  ): Promise<number> {
    const direction = o.direction ?? 'in';
    const [row] = await this.c.sql<{ id: number }>(
      `INSERT INTO messages (conversation_id, direction, author, operator, channel, text, created_at)
       VALUES (?, ?, ?, ?, 'rest', ?, ?) RETURNING id`,
      [
        conversationId,
        direction,
        o.author ?? (direction === 'in' ? 'customer' : 'bot'),
        o.operator ?? null,
        text,
        o.at ?? this.c.clock.now(),
      ],
    );
    return Number(row!.id);
  }

  async decision(
    messageId: number,
    o: {
      action?: 'auto_reply' | 'handoff' | 'fallback' | 'silent';
      category?: string | null;
      suggestions?: unknown[];
      replyText?: string | null;
      at?: number;
    } = {},
  ): Promise<void> {
    await this.c.sql(
      `INSERT INTO decisions (message_id, action, reason, category, confidence, suggestions, reply_text, language, created_at)
       VALUES (?, ?, 'test', ?, 0.9, ?, ?, 'en', ?)`,
      [
        messageId,
        o.action ?? 'handoff',
        o.category ?? null,
        JSON.stringify(o.suggestions ?? []),
        o.replyText ?? null,
        o.at ?? this.c.clock.now(),
      ],
    );
  }

  async prediction(
    messageId: number,
    o: {
      kind: 'classify' | 'suggest';
      net: string;
      version: string;
      label?: string | null;
      confidence?: number | null;
      latencyMs?: number;
      at?: number;
    },
  ): Promise<number> {
    const [row] = await this.c.sql<{ id: number }>(
      `INSERT INTO predictions (message_id, kind, net_name, net_version, label, confidence, latency_ms, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        messageId,
        o.kind,
        o.net,
        o.version,
        o.label ?? null,
        o.confidence ?? null,
        o.latencyMs ?? 1,
        o.at ?? this.c.clock.now(),
      ],
    );
    return Number(row!.id);
  }

  async operator(
    login: string,
    o: { name?: string; role?: 'operator' | 'supervisor'; active?: boolean } = {},
  ): Promise<void> {
    await this.c.sql(
      `INSERT INTO operators (login, name, password_hash, role, active, created_at) VALUES (?, ?, 'x', ?, ?, ?)`,
      [login, o.name ?? login, o.role ?? 'operator', o.active === false ? 0 : 1, this.c.clock.now()],
    );
  }
}
