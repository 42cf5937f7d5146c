/**
 * The customer chat's outbound side: the open websockets of each conversation. A reply
 * is pushed to every tab the customer has open; with none open it is still "sent" — it is
 * stored in the conversation and comes back in the history when the customer resumes.
 * Operators' replies carry the operator's display name; an operator typing in the console
 * is pushed as `{"type":"typing"}` (ephemeral: never stored, never replayed).
 */
import type { WebSocket } from 'ws';
import type { OutboxItem, ProductCard } from '../../core/ports.js';
import {
  answerAction,
  type ChannelOutbound,
  type PlannedSend,
  productAction,
  type ReplyAction,
  type ReplyButton,
  type SendOutcome,
} from '../../core/replies.js';

// A client this far behind is not reading: drop it rather than buffer without bound.
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface PushPayload {
  author: string;
  /** The replying operator's login; the name customers see is looked up when it is pushed. */
  operator?: string;
  /** The operator's display name, for an operator's reply. */
  name?: string;
  text: string;
  buttons?: ReplyButton[];
  products?: ProductCard[];
}

/** Open chat sockets by conversation, and the chat channel's outbound side. */
export class ChatHub implements ChannelOutbound {
  readonly channel = 'chat' as const;
  private readonly sockets = new Map<number, Set<WebSocket>>();

  /** `operatorName` maps an operator's login to the name customers see (the login when unknown). */
  constructor(
    private readonly operatorName: (login: string) => Promise<string | undefined> = async () => undefined,
  ) {}

  /** The name customers see for an operator (the login when it cannot be looked up). */
  async nameOf(login: string | null | undefined): Promise<string | undefined> {
    if (!login) return undefined;
    try {
      return (await this.operatorName(login)) ?? login;
    } catch {
      return login;
    }
  }

  /** Pushes "an operator is typing" to the conversation's open sockets. */
  async typing(conversationId: number, operator: string | undefined): Promise<void> {
    const name = await this.nameOf(operator);
    this.broadcast(conversationId, JSON.stringify({ type: 'typing', author: 'operator', name }));
  }

  /** Registers a socket for a conversation. */
  add(conversationId: number, ws: WebSocket): void {
    const set = this.sockets.get(conversationId) ?? new Set<WebSocket>();
    this.sockets.set(conversationId, set);
    set.add(ws);
  }

  /** Forgets a socket. */
  remove(conversationId: number, ws: WebSocket): void {
    const set = this.sockets.get(conversationId);
    set?.delete(ws);
    if (set?.size === 0) this.sockets.delete(conversationId);
  }

  /** How many sockets are open. */
  size(): number {
    let n = 0;
    for (const s of this.sockets.values()) n += s.size;
    return n;
  }

  /** Plans a push of customer-visible replies; notes and callback answers have no place in the widget. */
  plan(
    action: ReplyAction,
    _conversation: unknown,
    context: { author: string; operator?: string },
  ): PlannedSend[] {
    if (action.kind === 'products') {
      const buttons = action.items.map((p) => ({ text: p.title, action: productAction(p.id) }));
      const payload: PushPayload = {
        author: context.author,
        text: action.heading,
        products: action.items,
        buttons,
      };
      return [{ kind: 'push', payload }];
    }
    if (action.kind !== 'message' && action.kind !== 'handoff') return [];
    const payload: PushPayload = { author: context.author, text: action.text };
    if (context.author === 'operator' && context.operator) payload.operator = context.operator;
    if (action.kind === 'message' && action.buttons?.length) payload.buttons = action.buttons;
    if (action.kind === 'handoff' && action.options?.length) {
      payload.buttons = action.options.map((o) => ({ text: o.text, action: answerAction(o.answerId) }));
    }
    return [{ kind: 'push', payload }];
  }

  /** Pushes a reply to the conversation's open sockets. */
  async send(item: OutboxItem): Promise<SendOutcome> {
    const p = item.payload as PushPayload;
    const name = p.name ?? (p.operator ? await this.nameOf(p.operator) : undefined);
    const frame = JSON.stringify({
      type: 'message',
      id: item.messageId,
      author: p.author,
      ...(name ? { name } : {}),
      text: p.text,
      buttons: p.buttons,
      ...(p.products ? { products: p.products } : {}),
    });
    this.broadcast(item.conversationId ?? -1, frame);
    return { status: 'sent' };
  }

  private broadcast(conversationId: number, frame: string): void {
    for (const ws of this.sockets.get(conversationId) ?? []) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
      else ws.send(frame);
    }
  }
}
