import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { z } from 'zod';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseJsonText } from '../transport/http/body.js';
import { answerHandshakeErrors, refuseUpgrade } from '../transport/ws/upgrade-router.js';
import type { Operator } from './operator-store-port.js';
import {
  type ClientRequest,
  type ConsoleEvent,
  clientMessageSchema,
  PROTOCOL_VERSION,
  type QueueItem,
  type ServerMessage,
} from './protocol.js';

/** What the hub needs from the console's core: the queue, request handling, and events. */
export interface ConsoleService {
  queue(): Promise<QueueItem[]>;
  handle(operator: Operator, request: ClientRequest): Promise<unknown>;
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
  /** Colleagues and bots for the welcome frame, if the service knows them. */
  team?(): Promise<NonNullable<Extract<ServerMessage, { type: 'welcome' }>['team']>>;
}

/** Settings of {@link ConsoleHub}; the defaults follow the console issue. */
export interface ConsoleHubOptions {
  service: ConsoleService;
  /** Resolves the operator of an upgrade request from its session cookie. */
  authenticate(req: IncomingMessage): Promise<Operator | undefined>;
  logger: Logger;
  maxPayloadBytes?: number;
  /** A client whose unsent data passes this is dropped (it stopped reading). */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** How many past events are kept for clients that reconnect. */
  replayLimit?: number;
  /** Origins allowed besides the request's own host (e.g. a console behind another name). */
  allowedOrigins?: readonly string[];
}

interface Client {
  ws: WebSocket;
  operator: Operator;
  alive: boolean;
  ready: boolean;
  /** The client's requests are carried out one after another, in the order they came. */
  turn: Promise<void>;
}

/** True when a browser's `Origin` is the request's own host or an allowed one (RFC 6455 §10.2). */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser: nothing to forge on the user's behalf
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * The operators' websocket: authenticated at the HTTP upgrade, every event numbered within
 * an epoch (one run of the process) and kept for replay, so a client that reconnects with
 * its last seq misses nothing; a client that stops reading is dropped before it costs us
 * more than `maxBufferedBytes`.
 */
export class ConsoleHub {
  readonly epoch = randomUUID();
  private seq = 0;
  private readonly history: Array<{ seq: number; event: ConsoleEvent }> = [];
  private readonly clients = new Set<Client>();
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly o: Required<Omit<ConsoleHubOptions, 'allowedOrigins'>> & {
    allowedOrigins: readonly string[];
  };

  constructor(options: ConsoleHubOptions) {
    this.o = {
      maxPayloadBytes: 64 * 1024,
      maxBufferedBytes: 1024 * 1024,
      heartbeatMs: 30_000,
      replayLimit: 10_000,
      allowedOrigins: [],
      ...options,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.o.maxPayloadBytes,
      perMessageDeflate: false,
    });
    answerHandshakeErrors(this.wss);
    this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatMs);
    this.heartbeat.unref();
    this.unsubscribe = this.o.service.subscribe((event) => this.publish(event));
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes over an upgrade request for `/ws/console`: 401 without a session, 403 from a foreign origin. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!originAllowed(req, this.o.allowedOrigins)) {
      refuseUpgrade(socket, 'forbidden', 'origin not allowed');
      return;
    }
    this.o.authenticate(req).then(
      (operator) => {
        if (socket.destroyed) return;
        if (!operator) {
          refuseUpgrade(socket, 'unauthorized', 'sign in to the console first');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, operator));
      },
      (err: unknown) => {
        this.o.logger.error({ err }, 'console sign-in check failed');
        if (!socket.destroyed) refuseUpgrade(socket, 'not_ready', 'the console cannot check sessions now');
      },
    );
  }

  /** Numbers an event, keeps it for replay and sends it to every ready client. */
  publish(event: ConsoleEvent): void {
    const seq = ++this.seq;
    this.history.push({ seq, event });
    if (this.history.length > this.o.replayLimit)
      this.history.splice(0, this.history.length - this.o.replayLimit);
    const frame = JSON.stringify({ v: PROTOCOL_VERSION, type: 'event', seq, event } satisfies ServerMessage);
    for (const client of this.clients) if (client.ready) this.sendRaw(client, frame);
  }

  /** Closes every client with 1001 (going away) and stops the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const client of this.clients) client.ws.close(1001, 'server shutting down');
    setTimeout(() => {
      for (const client of this.clients) client.ws.terminate();
    }, 1000).unref();
    this.wss.close();
  }

  private attach(ws: WebSocket, operator: Operator): void {
    const client: Client = { ws, operator, alive: true, ready: false, turn: Promise.resolve() };
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      client.turn = client.turn.then(() => this.onMessage(client, data, isBinary));
    });
    ws.on('error', (err) =>
      this.o.logger.debug({ err: err.message, operator: operator.login }, 'console socket error'),
    );
    ws.on('close', () => this.clients.delete(client));
  }

  private async onMessage(client: Client, data: RawData, isBinary: boolean): Promise<void> {
    let id: string | null = null;
    try {
      if (isBinary) throw new ProtocolError('bad_request', 'frames must be text (JSON)');
      let raw: unknown;
      try {
        raw = parseJsonText(data.toString());
      } catch (err) {
        throw new ProtocolError('invalid_json', isAppError(err) ? err.message : 'frame is not valid JSON');
      }
      id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
      const parsed = clientMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const { message, details } = readableIssue(parsed.error.issues[0]!);
        throw new ProtocolError('validation_failed', message, details);
      }
      const msg = parsed.data;
      if (msg.type === 'hello') return await this.welcome(client, msg.id, msg.resume);
      if (!client.ready) throw new ProtocolError('bad_request', 'send hello first');
      const result = await this.o.service.handle(client.operator, msg);
      this.send(client, { v: 1, type: 'ack', id: msg.id, ...(result === undefined ? {} : { result }) });
    } catch (err) {
      const known = err instanceof ProtocolError || isAppError(err);
      if (!known) this.o.logger.error({ err }, 'console request failed');
      const code = known ? (err as { code: string }).code : 'internal';
      const message = known ? (err as Error).message : 'internal error';
      const details = known ? (err as { details?: unknown }).details : undefined;
      this.send(client, {
        v: 1,
        type: 'error',
        id,
        code,
        message,
        ...(details && typeof details === 'object' ? { details: details as Record<string, unknown> } : {}),
      });
    }
  }

  /**
   * Greets a client: the events it missed (a resume within this epoch), or a snapshot of the
   * queue. The snapshot is read before it is sent; events published meanwhile follow it, so
   * the client misses none (queue updates are idempotent).
   */
  private async welcome(client: Client, id: string, resume?: { epoch: string; seq: number }): Promise<void> {
    const { login, name, language, role } = client.operator;
    const team = await this.o.service.team?.();
    const oldest = this.history[0]?.seq ?? this.seq + 1;
    const canReplay =
      resume && resume.epoch === this.epoch && resume.seq >= oldest - 1 && resume.seq <= this.seq;
    let from = canReplay ? resume.seq : this.seq;
    const snapshot = canReplay ? undefined : await this.o.service.queue();
    this.send(client, {
      v: 1,
      type: 'welcome',
      epoch: this.epoch,
      seq: this.seq,
      operator: { login, name, language, role: role ?? 'operator' },
      ...(team ? { team } : {}),
    });
    if (snapshot) this.send(client, { v: 1, type: 'snapshot', seq: from, queue: snapshot });
    // Events published while the snapshot was read follow it (history trimmed meanwhile: from its start).
    from = Math.max(from, (this.history[0]?.seq ?? this.seq + 1) - 1);
    for (const entry of this.history) {
      if (entry.seq > from) this.send(client, { v: 1, type: 'event', seq: entry.seq, event: entry.event });
    }
    client.ready = true;
    this.send(client, { v: 1, type: 'ack', id, result: { resumed: Boolean(canReplay) } });
  }

  private send(client: Client, message: ServerMessage): void {
    this.sendRaw(client, JSON.stringify(message));
  }

  private sendRaw(client: Client, frame: string): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount + frame.length > this.o.maxBufferedBytes) {
      this.o.logger.warn(
        { operator: client.operator.login, buffered: client.ws.bufferedAmount },
        'dropping a console client that stopped reading',
      );
      this.clients.delete(client);
      client.ws.terminate();
      return;
    }
    client.ws.send(frame);
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.clients.delete(client);
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * A schema issue as an operator can read it ("The reply is too long: at most 4000
 * characters"), with `details` (field, rule, limit) for the console to say it in the
 * operator's language.
 */
export function readableIssue(issue: z.core.$ZodIssue): {
  message: string;
  details: Record<string, unknown>;
} {
  const field = issue.path.map(String).join('.') || 'frame';
  const what = FIELD_NAMES[field] ?? `the field "${field}"`;
  const limit =
    'maximum' in issue ? Number(issue.maximum) : 'minimum' in issue ? Number(issue.minimum) : undefined;
  let rule = 'invalid';
  let message = `${capital(what)} is not valid: ${issue.message}.`;
  if (issue.code === 'too_big') {
    rule = 'too_long';
    message = `${capital(what)} is too long: at most ${limit} characters.`;
  } else if (issue.code === 'too_small') {
    rule = 'empty';
    message = `${capital(what)} is empty.`;
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    rule = 'missing';
    message = `${capital(what)} is missing.`;
  } else if (issue.code === 'invalid_union' || (issue.code === 'invalid_value' && field === 'type')) {
    rule = 'unknown_request';
    message = 'This request is not part of the console protocol.';
  }
  return { message, details: { reason: 'invalid', field, rule, ...(limit !== undefined ? { limit } : {}) } };
}

const FIELD_NAMES: Record<string, string> = {
  text: 'the reply',
  category: 'the category',
  conversationId: 'the conversation id',
  to: 'the colleague',
  language: 'the language',
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
