/**
 * The in-process event bus: the core publishes what happened (a message arrived, a
 * conversation changed, a reply was sent) and anyone in the process may listen — the
 * workers to wake up, the operators' console to update live. Several instances on one
 * PostgreSQL share their events through `PgEventBus` (src/store/postgres/live-events.ts),
 * behind the same interface.
 */
import type { ConversationStatus, DecisionAction } from './conversation-port.js';
import type { ChannelName } from './ports.js';

/** Everything the gateway announces. Events carry ids and states, never customer text. */
export type GatewayEvent =
  | { type: 'message.received'; bot: string; channel: ChannelName; conversationId: number; messageId: number }
  | {
      type: 'message.decided';
      bot: string;
      conversationId: number;
      messageId: number;
      action: DecisionAction;
      category: string | null;
      confidence: number | null;
    }
  | {
      type: 'conversation.changed';
      conversationId: number;
      status: ConversationStatus;
      queue: string | null;
      assignedOperator: string | null;
    }
  | { type: 'reply.queued'; conversationId: number | null; outboxIds: number[] }
  /** Messages the bot or an operator added to a conversation's history (replies, handoff notes). */
  | { type: 'messages.added'; conversationId: number; messageIds: number[] }
  /**
   * Someone is typing in a conversation (the customer in the chat widget, or an operator in
   * the console): ephemeral, never stored; `operator` is the operator's login.
   */
  | { type: 'typing'; conversationId: number; who: 'customer' | 'operator'; operator?: string }
  /** An operator added an internal note (the console reads it from the store). */
  | { type: 'note.added'; conversationId: number; noteId: number }
  /**
   * Something an operator did to a colleague's conversation, for that colleague's console
   * (logins only), wherever it is connected.
   */
  | {
      type: 'operator.notice';
      to: string;
      notice: 'assigned' | 'reassigned' | 'resolved' | 'handed_back';
      conversationId: number;
      by: string;
    }
  | {
      type: 'reply.sent';
      channel: ChannelName;
      conversationId: number | null;
      outboxId: number;
      messageId: number | null;
    }
  | {
      type: 'reply.failed';
      channel: ChannelName;
      conversationId: number | null;
      outboxId: number;
      dead: boolean;
      attempts: number;
    };

/** The event types, for filtering. */
export type GatewayEventType = GatewayEvent['type'];

/** Where an event comes from: this process, or another instance of the cluster. */
export interface EventOrigin {
  /** True for an event another instance published (its own effects already happened there). */
  remote: boolean;
}

/**
 * A listener; its errors are contained so one listener cannot break the pipeline. `origin`
 * tells events of another instance apart (a listener that pushes what this process did, such
 * as the chat's replies, reads the rest from the store).
 */
export type EventListener = (event: GatewayEvent, origin: EventOrigin) => void;

const LOCAL: EventOrigin = Object.freeze({ remote: false });

/** Publish/subscribe, within the process or across the instances of a cluster. */
export interface EventBus {
  publish(event: GatewayEvent): void;
  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

/** A synchronous in-memory bus. Listeners run in subscription order; a throwing one is reported and skipped. */
export class InProcessEventBus implements EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly onListenerError: (err: unknown, event: GatewayEvent) => void = () => {}) {}

  /** Delivers the event to every current listener. */
  publish(event: GatewayEvent): void {
    this.deliver(event, LOCAL);
  }

  /** Delivers an event to the listeners with its origin (a cluster bus passes remote events here). */
  deliver(event: GatewayEvent, origin: EventOrigin): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, origin);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
