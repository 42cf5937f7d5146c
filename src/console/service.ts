import type { ConversationStore } from '../core/conversation-port.js';
import type { ConversationService } from '../core/conversation-service.js';
import type { EventBus, GatewayEvent } from '../core/events.js';
import type { Clock, Suggestion } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { Operator } from '../store/repositories/operators.js';
import type { ConsoleStats, ConsoleStore } from './console-store-port.js';
import type { ConsoleService } from './hub.js';
import type { CategoryNames, ClientRequest, ConsoleEvent, ConsoleMessage, QueueItem } from './protocol.js';

/** What the console's core is built from. */
export interface ConsoleCoreDeps {
  reads: ConsoleStore;
  conversations: ConversationService;
  store: Pick<ConversationStore, 'getConversation'>;
  events: EventBus;
  clock: Clock;
  /** The categories an operator can choose for a bot (its classifier's labels). */
  categoriesOf(bot: string): string[];
  /** Category display names per bot and language. */
  categoryNames?: () => CategoryNames;
  /** Link to the latest training report, if any. */
  latestReport?: () => string | null;
  /** The latest rollbacks of the nets (newest first), shown with the stats. */
  rollbacks?: () => ConsoleStats['rollbacks'];
}

/** What `open` returns: everything the conversation view shows. */
export interface ConversationDetail {
  item: QueueItem;
  messages: ConsoleMessage[];
  suggestions: Suggestion[];
  classification: { category: string; confidence: number; net: { name: string; version: string } } | null;
  categories: string[];
}

/**
 * The console's core: turns the gateway's events into queue updates and carries out
 * operators' requests, storing each action with the operator, the time and the versions
 * of the nets whose predictions it judged — the labels of the next training run.
 */
export class ConsoleCore implements ConsoleService {
  constructor(private readonly d: ConsoleCoreDeps) {}

  /** Category display names per bot and language (empty when the bots name none). */
  categoryNames(): CategoryNames {
    return this.d.categoryNames?.() ?? {};
  }

  /** Conversations with the operators now. */
  queue(): QueueItem[] {
    return this.d.reads.queue();
  }

  /** Maps gateway events to console events; returns the unsubscribe function. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    return this.d.events.subscribe((event) => {
      for (const out of this.translate(event)) listener(out);
    });
  }

  /** Carries out one operator request. */
  handle(operator: Operator, req: ClientRequest): unknown {
    switch (req.type) {
      case 'open':
        return this.open(req.conversationId);
      case 'take':
        this.conversation(req.conversationId);
        this.d.conversations.take(req.conversationId, operator.login);
        this.record(operator, req.conversationId, 'take');
        return undefined;
      case 'reply':
        return this.reply(operator, req.conversationId, req.text, req.answerId);
      case 'correct_category': {
        this.conversation(req.conversationId);
        this.d.conversations.correctCategory(req.conversationId, req.category);
        this.record(operator, req.conversationId, 'correct_category', { category: req.category });
        return undefined;
      }
      case 'typing':
        this.conversation(req.conversationId);
        this.d.events.publish({
          type: 'typing',
          conversationId: req.conversationId,
          who: 'operator',
          operator: operator.login,
        });
        return undefined;
      case 'resolve':
        this.conversation(req.conversationId);
        this.record(operator, req.conversationId, 'resolve');
        this.d.conversations.resolve(req.conversationId);
        return undefined;
      case 'hand_back':
        this.conversation(req.conversationId);
        this.record(operator, req.conversationId, 'hand_back');
        this.d.conversations.handBack(req.conversationId);
        return undefined;
      case 'stats':
        return {
          ...this.d.reads.stats(this.d.clock.now(), req.days ?? 14, this.d.latestReport?.() ?? null),
          rollbacks: this.d.rollbacks?.() ?? [],
        };
    }
  }

  private open(conversationId: number): ConversationDetail {
    const conversation = this.conversation(conversationId);
    const item = this.d.reads.queueItem(conversationId);
    if (!item) throw new AppError('not_found', `conversation ${conversationId} is not with the operators`);
    const last = this.d.reads.lastInbound(conversationId);
    const categories = new Set(this.d.categoriesOf(conversation.bot));
    if (conversation.category) categories.add(conversation.category);
    return {
      item,
      messages: this.d.reads.history(conversationId),
      suggestions: this.d.reads.latestSuggestions(conversationId).slice(0, 3),
      classification: last ? this.d.reads.predictionsFor(last.id).classification : null,
      categories: [...categories].sort(),
    };
  }

  private reply(operator: Operator, conversationId: number, text: string, answerId?: number): unknown {
    const conversation = this.conversation(conversationId);
    if (conversation.assignedOperator && conversation.assignedOperator !== operator.login) {
      throw new AppError(
        'conflict',
        `conversation ${conversationId} is taken by ${conversation.assignedOperator}`,
      );
    }
    let action: 'reply' | 'accept_suggestion' | 'edit_suggestion' = 'reply';
    if (answerId !== undefined) {
      const suggested = this.d.reads.latestSuggestions(conversationId).find((s) => s.answerId === answerId);
      if (!suggested)
        throw new AppError('validation_failed', `answer ${answerId} was not suggested in this conversation`);
      action = suggested.text.trim() === text.trim() ? 'accept_suggestion' : 'edit_suggestion';
    }
    // The label and the reply it describes are stored together or not at all.
    const messageId = this.d.reads.atomically(() => {
      this.record(operator, conversationId, action, {
        category: conversation.category,
        answerId: answerId ?? null,
        text,
      });
      return this.d.conversations.reply(conversationId, operator.login, text)!.messageId;
    });
    return { messageId, action };
  }

  private conversation(id: number) {
    const c = this.d.store.getConversation(id);
    if (!c) throw new AppError('not_found', `conversation ${id} does not exist`);
    return c;
  }

  private record(
    operator: Operator,
    conversationId: number,
    action: Parameters<ConsoleStore['recordAction']>[0]['action'],
    extra: { category?: string | null; answerId?: number | null; text?: string | null } = {},
  ): void {
    const last = this.d.reads.lastInbound(conversationId);
    const predictions = last ? this.d.reads.predictionsFor(last.id) : { predictionIds: [], netVersions: {} };
    this.d.reads.recordAction({
      conversationId,
      messageId: last?.id ?? null,
      operator: operator.login,
      action,
      category: extra.category ?? null,
      answerId: extra.answerId ?? null,
      text: extra.text ?? null,
      predictionIds: predictions.predictionIds,
      netVersions: predictions.netVersions,
    });
  }

  private translate(event: GatewayEvent): ConsoleEvent[] {
    switch (event.type) {
      case 'message.received':
        return this.messagesIfQueued(event.conversationId, [event.messageId], true);
      case 'messages.added':
        return this.messagesIfQueued(event.conversationId, event.messageIds, false);
      case 'conversation.changed':
      case 'message.decided': {
        const item = this.d.reads.queueItem(event.conversationId);
        if (item) return [{ kind: 'queue.upsert', item }];
        return event.type === 'conversation.changed'
          ? [{ kind: 'queue.remove', conversationId: event.conversationId }]
          : [];
      }
      case 'typing':
        if (event.who !== 'customer' || !this.d.reads.queueItem(event.conversationId)) return [];
        return [{ kind: 'typing', conversationId: event.conversationId }];
      default:
        return [];
    }
  }

  private messagesIfQueued(conversationId: number, ids: number[], upsert: boolean): ConsoleEvent[] {
    const item = this.d.reads.queueItem(conversationId);
    if (!item) return [];
    const out: ConsoleEvent[] = this.d.reads.messagesById(ids).map(({ conversationId: cid, ...message }) => ({
      kind: 'message.added',
      conversationId: cid,
      message,
    }));
    if (upsert) out.push({ kind: 'queue.upsert', item });
    return out;
  }
}
