/**
 * The customer chat websocket: `/ws/chat?bot=NAME[&conversation=TOKEN&after=ID&lang=ru]`.
 *
 * A widget connects, gets a conversation token (`ready`), sends `{"type":"message","id",
 * "text"}` (or `{"type":"action","id","action"}` when a button is pressed) and receives
 * `ack`, then the bot's and operators' replies as `message`. With the
 * token of an earlier session it resumes: the messages after `after` come as `history`
 * (the customer's own with the `client_id` it sent them under, so a widget that resends an
 * unacknowledged message recognises it). `{"type":"typing"}` tells the operators the
 * customer is typing (at most one a second is passed on).
 * The token is random and unguessable (it is the conversation's only key), frames are
 * small (`maxPayload`), silent connections are dropped by a ping/pong heartbeat, and
 * browsers from other origins are refused at the upgrade.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { Bot, BotRegistry } from '../../core/bots/bot.js';
import { channelSettings, renderTemplate, templatesFor } from '../../core/bots/bot.js';
import type { ConversationRecord, ConversationStore, MessageRecord } from '../../core/conversation-port.js';
import type { EventBus } from '../../core/events.js';
import type { Intake } from '../../core/intake.js';
import { detectLanguage, languageFromTag } from '../../core/language.js';
import type { ProductCard } from '../../core/ports.js';
import { productAction } from '../../core/replies.js';
import { isAppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { isBusyError } from '../../store/index.js';
import { parseJsonText } from '../../transport/http/body.js';
import type { RateLimiter } from '../../transport/http/rate-limit.js';
import { answerHandshakeErrors, refuseUpgrade } from '../../transport/ws/upgrade-router.js';
import type { ChatHub } from './chat-hub.js';
import type { ChatSettings } from './settings.js';

const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

const clientId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

/** What a widget sends: a message, or a press of one of the bot's buttons. */
const clientFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('message'),
    id: clientId,
    text: z.string().trim().min(1).max(4000),
    /** The shop's product the page with the chat shows, if any. */
    product_id: z
      .string()
      .regex(/^[\p{L}\p{N}_.:-]{1,56}$/u)
      .optional(),
  }),
  z.strictObject({
    type: z.literal('action'),
    id: clientId,
    action: z.string().regex(/^(handoff|answer:\d{1,12}|product:[\p{L}\p{N}_.:-]{1,56})$/u),
  }),
  z.strictObject({ type: z.literal('typing') }),
]);

// Typing signals closer together than this are dropped: they say nothing new.
const TYPING_EVERY_MS = 1000;

/** What the chat server needs. */
export interface ChatServerDeps {
  bots: BotRegistry;
  intake: Intake;
  store: ConversationStore;
  hub: ChatHub;
  /** Where a customer's typing is announced (the operators' console listens). */
  events: Pick<EventBus, 'publish'>;
  limiter: RateLimiter;
  logger: Logger;
  maxPayloadBytes: number;
  heartbeatMs: number;
}

interface Session {
  bot: Bot;
  token: string;
  conversationId: number | null;
  alive: boolean;
  typedAt: number;
}

/** A stored message as the widget gets it in `history`: buttons and products as they were pushed. */
function messageJson(m: MessageRecord, nameOf: (login: string | null) => string | undefined) {
  const meta = m.meta ?? {};
  const products = Array.isArray(meta.products) ? meta.products : undefined;
  const name = m.author === 'operator' ? nameOf(m.operator) : undefined;
  return {
    type: 'message' as const,
    id: m.id,
    author: m.author,
    ...(name ? { name } : {}),
    ...(m.author === 'customer' && m.externalId ? { client_id: m.externalId } : {}),
    text: products && typeof meta.heading === 'string' ? meta.heading : m.text,
    ...(Array.isArray(meta.buttons) ? { buttons: meta.buttons } : {}),
    // The hub gives product cards a button each; so does the history.
    ...(products
      ? {
          products,
          buttons: products.map((p: ProductCard) => ({ text: p.title, action: productAction(p.id) })),
        }
      : {}),
    at: new Date(m.createdAt).toISOString(),
  };
}

/** True when a browser's `Origin` may open the chat: same origin, or listed by the bot. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: string[],
): boolean {
  if (!origin) return true; // not a browser: origin checks protect browsers' users only
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The chat websocket server. */
export class ChatServer {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly d: ChatServerDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: d.maxPayloadBytes,
      perMessageDeflate: false,
    });
    answerHandshakeErrors(this.wss);
    this.heartbeat = setInterval(() => this.beat(), d.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Accepts or refuses an upgrade to `/ws/chat`. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const bot = this.d.bots.withChannel(url.searchParams.get('bot') ?? '', 'chat');
    if (!bot) return refuseUpgrade(socket, 'not_found', 'no chat for this bot');
    if (
      !originAllowed(
        req.headers.origin,
        req.headers.host,
        channelSettings<ChatSettings>(bot, 'chat')!.allowedOrigins,
      )
    ) {
      return refuseUpgrade(socket, 'forbidden', 'origin not allowed');
    }
    const limit = this.d.limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (!limit.ok) {
      return refuseUpgrade(socket, 'rate_limited', 'too many requests; retry later', {
        'Retry-After': String(limit.retryAfterS),
      });
    }
    // The conversation to resume is read before the upgrade, so no frame can come before the socket is set up.
    const asked = url.searchParams.get('conversation') ?? '';
    const lookup = TOKEN.test(asked) ? this.d.store.findConversation(bot.name, 'chat', asked) : undefined;
    Promise.resolve(lookup).then(
      (existing) => {
        if (socket.destroyed) return;
        this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, req, url, bot, asked, existing));
      },
      (err: unknown) => {
        this.d.logger.warn({ err }, 'chat: could not read the conversation to resume');
        if (!socket.destroyed)
          refuseUpgrade(socket, isBusyError(err) ? 'store_busy' : 'not_ready', 'busy; connect again', {
            'Retry-After': '1',
          });
      },
    );
  };

  /**
   * Closes every chat with 1001 (going away) and stops the heartbeat; a client that does
   * not complete the closing handshake within `graceMs` is cut off, so shutdown is prompt.
   */
  async close(graceMs = 1000): Promise<void> {
    clearInterval(this.heartbeat);
    const open = [...this.wss.clients];
    const closed = open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of open) ws.close(1001, 'server shutting down');
    const timer = setTimeout(() => {
      for (const ws of open) ws.terminate();
    }, graceMs);
    await Promise.all(closed);
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Sends a resumed conversation's messages after `after`; a store failure closes the socket (the widget reconnects). */
  private async sendHistory(ws: WebSocket, conversationId: number, after: number): Promise<void> {
    try {
      const messages = await this.d.store.listMessages(conversationId, after);
      const names = new Map<string, string | undefined>();
      for (const m of messages)
        if (m.author === 'operator' && m.operator && !names.has(m.operator))
          names.set(m.operator, await this.d.hub.nameOf(m.operator));
      const nameOf = (login: string | null) => (login ? (names.get(login) ?? login) : undefined);
      if (ws.readyState === ws.OPEN)
        ws.send(JSON.stringify({ type: 'history', messages: messages.map((m) => messageJson(m, nameOf)) }));
    } catch (err) {
      this.d.logger.warn({ err }, 'chat: could not read the history');
      ws.close(1011, 'history unavailable; reconnect');
    }
  }

  private open(
    ws: WebSocket,
    req: IncomingMessage,
    url: URL,
    bot: Bot,
    asked: string,
    existing: ConversationRecord | undefined,
  ): void {
    const session: Session = {
      bot,
      token: existing ? asked : randomBytes(18).toString('base64url') + randomBytes(6).toString('base64url'),
      conversationId: existing?.id ?? null,
      alive: true,
      typedAt: 0,
    };
    this.sessions.set(ws, session);
    ws.on('pong', () => {
      session.alive = true;
    });
    ws.on('message', (data, isBinary) => void this.receive(ws, session, data.toString(), isBinary, req));
    ws.on('close', () => {
      this.sessions.delete(ws);
      if (session.conversationId !== null) this.d.hub.remove(session.conversationId, ws);
    });
    ws.on('error', () => ws.terminate());

    ws.send(JSON.stringify({ type: 'ready', conversation: session.token, resumed: Boolean(existing) }));
    if (existing) {
      this.d.hub.add(existing.id, ws);
      const after = Number(url.searchParams.get('after') ?? 0);
      void this.sendHistory(ws, existing.id, Number.isSafeInteger(after) ? after : 0);
    } else {
      const language =
        languageFromTag(url.searchParams.get('lang') ?? undefined) ??
        languageFromTag(req.headers['accept-language']);
      const { t } = templatesFor(bot, language);
      ws.send(
        JSON.stringify({ type: 'message', id: null, author: 'bot', text: renderTemplate(t.greeting, {}) }),
      );
    }
  }

  private async receive(ws: WebSocket, s: Session, raw: string, isBinary: boolean, req: IncomingMessage) {
    const error = (code: string, message: string, extra: Record<string, unknown> = {}) =>
      ws.send(JSON.stringify({ type: 'error', code, message, ...extra }));
    if (isBinary) return ws.close(1003, 'text frames only');
    let json: unknown;
    try {
      json = parseJsonText(raw);
    } catch (err) {
      return error('invalid_json', isAppError(err) ? err.message : 'frames must be JSON');
    }
    const parsed = clientFrame.safeParse(json);
    if (!parsed.success) {
      return error(
        'validation_failed',
        'expected {"type":"message","id","text"} (1-4000 characters), {"type":"action","id","action"} or {"type":"typing"}',
      );
    }
    if (parsed.data.type === 'typing') return this.typing(s);
    const limit = this.d.limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (!limit.ok)
      return error('rate_limited', 'too many messages; retry later', { retry_after: limit.retryAfterS });
    const m = parsed.data;
    s.typedAt = 0; // the message ends the typing: the next keystroke is news again
    try {
      const r = await this.d.intake.accept({
        bot: s.bot.name,
        channel: 'chat',
        deliveryId: `${s.token}:${m.id}`,
        chatId: s.token,
        externalMessageId: m.id,
        text: m.type === 'message' ? m.text : '',
        language: m.type === 'message' ? detectLanguage(m.text) : undefined,
        replyContext: {},
        ...(m.type === 'action' ? { meta: { action: m.action } } : {}),
        ...(m.type === 'message' && m.product_id ? { meta: { productId: m.product_id } } : {}),
      });
      if (s.conversationId === null) {
        s.conversationId = r.conversationId;
        this.d.hub.add(r.conversationId, ws);
      }
      ws.send(JSON.stringify({ type: 'ack', id: m.id, message_id: r.messageId, duplicate: r.duplicate }));
    } catch (err) {
      if (isBusyError(err)) return error('store_busy', 'busy; send the message again', { retry_after: 1 });
      this.d.logger.error({ err }, 'chat message failed');
      error('internal', 'internal error');
    }
  }

  private typing(s: Session): void {
    const now = Date.now();
    if (s.conversationId === null || now - s.typedAt < TYPING_EVERY_MS) return;
    s.typedAt = now;
    this.d.events.publish({ type: 'typing', conversationId: s.conversationId, who: 'customer' });
  }

  private beat(): void {
    for (const [ws, s] of this.sessions) {
      if (!s.alive) {
        ws.terminate();
        continue;
      }
      s.alive = false;
      ws.ping();
    }
  }
}
