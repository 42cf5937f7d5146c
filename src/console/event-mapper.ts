import type { GatewayEvent } from '../core/events.js';
import { type ConsoleStore, type StoredQueueItem, toConsoleMessage } from './console-store-port.js';
import type { ConsoleEvent, QueueItem } from './protocol.js';

/**
 * Turns the gateway's events into the console's: queue lines, messages, and the open
 * conversation's new category and suggestions. A customer message goes out once: when it
 * comes, if its conversation is with the operators, else with the decision that queues it.
 */
export class ConsoleEventMapper {
  /** Customer messages received while their conversation was out of the queue, until decided. */
  private readonly unannounced = new Set<number>();

  constructor(
    private readonly reads: ConsoleStore,
    private readonly prioritised: (item: StoredQueueItem) => QueueItem,
  ) {}

  /** The console events a gateway event makes (none when its conversation is not with the operators). */
  async translate(event: GatewayEvent): Promise<ConsoleEvent[]> {
    switch (event.type) {
      case 'message.received': {
        const out = await this.messagesIfQueued(event.conversationId, [event.messageId], true);
        // Not with the operators yet (resolved, or with the bot): if the decision queues the
        // conversation, the message goes out with it.
        if (out.length === 0) this.unannounced.add(event.messageId);
        return out;
      }
      case 'messages.added':
        return this.messagesIfQueued(event.conversationId, event.messageIds, false);
      case 'conversation.changed': {
        const item = await this.reads.queueItem(event.conversationId);
        if (item) return [{ kind: 'queue.upsert', item: this.prioritised(item) }];
        return [{ kind: 'queue.remove', conversationId: event.conversationId }];
      }
      case 'message.decided': {
        const unannounced = this.unannounced.delete(event.messageId);
        const item = await this.reads.queueItem(event.conversationId);
        if (!item) return [];
        // The open conversation follows the latest customer message: its category, confidence
        // and suggestions; a conversation that was not queued when the message came (a reopened
        // one) gets the message itself now.
        const { classification } = await this.reads.predictionsFor(event.messageId);
        const [message] = unannounced ? await this.reads.messagesById([event.messageId]) : [];
        const out: ConsoleEvent[] = [];
        if (message) {
          out.push({
            kind: 'message.added',
            conversationId: message.conversationId,
            message: toConsoleMessage(message),
          });
        }
        out.push(
          { kind: 'queue.upsert', item: this.prioritised(item) },
          {
            kind: 'conversation.updated',
            conversationId: event.conversationId,
            messageId: event.messageId,
            classification,
            suggestions: (await this.reads.latestSuggestions(event.conversationId)).slice(0, 3),
          },
        );
        return out;
      }
      case 'typing':
        if (event.who !== 'customer' || !(await this.reads.queueItem(event.conversationId))) return [];
        return [{ kind: 'typing', conversationId: event.conversationId }];
      default:
        return [];
    }
  }

  private async messagesIfQueued(
    conversationId: number,
    ids: number[],
    upsert: boolean,
  ): Promise<ConsoleEvent[]> {
    const item = await this.reads.queueItem(conversationId);
    if (!item) return [];
    const out: ConsoleEvent[] = (await this.reads.messagesById(ids)).map((m) => ({
      kind: 'message.added',
      conversationId: m.conversationId,
      message: toConsoleMessage(m),
    }));
    if (upsert) out.push({ kind: 'queue.upsert', item: this.prioritised(item) });
    return out;
  }
}
