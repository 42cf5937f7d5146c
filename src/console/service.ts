import type { Bot } from '../core/bots/bot.js';
import type { ConversationRecord, ConversationStore } from '../core/conversation-port.js';
import type { ConversationService } from '../core/conversation-service.js';
import type { EventBus } from '../core/events.js';
import type { Clock, Suggestion } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { Operator } from '../store/repositories/operators.js';
import { botView, withPriority } from './bot-view.js';
import type { ConsoleNote, ConsoleStats, ConsoleStore, StoredQueueItem } from './console-store-port.js';
import { ConsoleEventMapper } from './event-mapper.js';
import type { ConsoleService } from './hub.js';
import { assertMayAct, assertMayAssign, assertMayReply, assertMayTake } from './ownership.js';
import type { BotView, ClientRequest, ConsoleEvent, ConsoleMessage, QueueItem } from './protocol.js';

/** What the console's core is built from. */
export interface ConsoleCoreDeps {
  reads: ConsoleStore;
  conversations: ConversationService;
  store: Pick<ConversationStore, 'getConversation' | 'updateConversation'>;
  events: EventBus;
  clock: Clock;
  /** The categories an operator can choose for a bot: its classifier's labels. */
  categoriesOf(bot: string): string[];
  /** The bot of that name (queues, SLAs, sensitive categories, display names). */
  botOf?: (name: string) => Bot | undefined;
  /** Every bot's name. */
  botNames?: () => string[];
  /** Link to the latest training report, if any. */
  latestReport?: () => string | null;
  /** The latest rollbacks of the nets (newest first), shown with the stats. */
  rollbacks?: () => ConsoleStats['rollbacks'];
  /** Adds answers to a knowledge base (the answer index follows). */
  knowledgeBase?: { create(body: unknown): { id: number } };
}

/** What `open` returns: everything the conversation view shows. */
export interface ConversationDetail {
  item: QueueItem;
  messages: ConsoleMessage[];
  suggestions: Suggestion[];
  classification: { category: string; confidence: number; net: { name: string; version: string } } | null;
  /** The classifier's categories (and those operators created), sorted. */
  categories: string[];
  /** Categories operators created that the classifier does not know yet. */
  createdCategories: string[];
  /** Internal notes, oldest first. */
  notes: ConsoleNote[];
  /** The customer's other conversations. */
  earlier: QueueItem[];
}

/**
 * The console's core: turns the gateway's events into queue updates and carries out
 * operators' requests, storing each action with the operator, the time and the versions
 * of the nets whose predictions it judged — the labels of the next training run. Every
 * action on a taken conversation is its owner's (or a supervisor's): see ownership.ts.
 */
export class ConsoleCore implements ConsoleService {
  private readonly mapper: ConsoleEventMapper;

  constructor(private readonly d: ConsoleCoreDeps) {
    this.mapper = new ConsoleEventMapper(d.reads, (item) => this.prioritised(item));
  }

  /** Conversations with the operators now. */
  queue(): QueueItem[] {
    return this.d.reads.queue().map((i) => this.prioritised(i));
  }

  /** Colleagues and bots, sent in the welcome frame. */
  team(): { operators: Array<{ login: string; name: string; role: string }>; bots: Record<string, BotView> } {
    const bots: Record<string, BotView> = {};
    for (const name of this.d.botNames?.() ?? []) {
      const bot = this.d.botOf?.(name);
      if (bot) bots[name] = botView(bot);
    }
    return {
      operators: this.d.reads.operators().map(({ login, name, role }) => ({ login, name, role })),
      bots,
    };
  }

  /** Maps gateway events to console events; returns the unsubscribe function. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    return this.d.events.subscribe((event) => {
      for (const out of this.mapper.translate(event)) listener(out);
    });
  }

  /** Carries out one operator request. */
  handle(operator: Operator, req: ClientRequest): unknown {
    switch (req.type) {
      case 'open':
        return this.open(req.conversationId);
      case 'take': {
        assertMayTake(operator, this.conversation(req.conversationId), req.confirm === true);
        this.d.conversations.take(req.conversationId, operator.login);
        this.record(operator, req.conversationId, 'take');
        return undefined;
      }
      case 'reply':
        return this.reply(operator, req.conversationId, req.text, req.answerId, req.reopen === true);
      case 'correct_category': {
        const c = this.conversation(req.conversationId);
        assertMayAct(operator, c);
        if (!this.categories(c).includes(req.category)) {
          throw new AppError('validation_failed', `"${req.category}" is not a category of bot ${c.bot}`, {
            details: { reason: 'unknown_category', field: 'category' },
          });
        }
        this.correct(operator, c, req.category);
        return undefined;
      }
      case 'new_category': {
        const c = this.conversation(req.conversationId);
        assertMayAct(operator, c);
        const known = this.d.categoriesOf(c.bot).includes(req.category);
        if (!known) this.d.reads.createCategory(c.bot, req.category, operator.login);
        this.correct(operator, c, req.category);
        return { created: !known };
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
      case 'hand_back': {
        const c = this.conversation(req.conversationId);
        assertMayAct(operator, c);
        this.record(operator, req.conversationId, req.type);
        if (req.type === 'resolve') this.d.conversations.resolve(req.conversationId);
        else this.d.conversations.handBack(req.conversationId);
        this.tellOwner(c, operator, req.type === 'resolve' ? 'resolved' : 'handed_back');
        return undefined;
      }
      case 'assign':
        return this.assign(operator, req.conversationId, req.to);
      case 'set_language':
        this.d.reads.setOperatorLanguage(operator.login, req.language);
        operator.language = req.language;
        return undefined;
      case 'search':
        return { results: this.d.reads.search(req.query, 50).map((i) => this.prioritised(i)) };
      case 'add_note': {
        const c = this.conversation(req.conversationId);
        const note = this.d.reads.addNote(c.id, operator.login, req.text);
        // Through the event bus: colleagues' consoles may be connected to other instances.
        this.d.events.publish({ type: 'note.added', conversationId: note.conversationId, noteId: note.id });
        return { noteId: note.id };
      }
      case 'kb_search': {
        const c = this.conversation(req.conversationId);
        return { answers: this.d.reads.kbSearch(this.kbOf(c.bot), req.query, 10) };
      }
      case 'kb_add': {
        const c = this.conversation(req.conversationId);
        if (!this.d.knowledgeBase) throw new AppError('not_found', 'this gateway has no knowledge base');
        const answer = this.d.knowledgeBase.create({
          kb: this.kbOf(c.bot),
          text: req.text,
          ...(c.category ? { category: c.category } : {}),
          ...(c.language ? { language: c.language } : {}),
        });
        return { answerId: answer.id };
      }
      case 'saved_replies':
        return { replies: this.d.reads.savedReplies(operator.login) };
      case 'save_reply':
        return this.d.reads.saveReply(operator.login, req.title, req.text);
      case 'stats':
        return {
          ...this.d.reads.stats(this.d.clock.now(), req.days ?? 14, this.d.latestReport?.() ?? null),
          rollbacks: this.d.rollbacks?.() ?? [],
        };
    }
  }

  private open(conversationId: number): ConversationDetail {
    const conversation = this.conversation(conversationId);
    const item = this.d.reads.conversationItem(conversationId);
    if (!item) throw new AppError('not_found', `conversation ${conversationId} does not exist`);
    const last = this.d.reads.lastInbound(conversationId);
    return {
      item: this.prioritised(item),
      messages: this.d.reads.history(conversationId),
      suggestions: this.d.reads.latestSuggestions(conversationId).slice(0, 3),
      classification: last ? this.d.reads.predictionsFor(last.id).classification : null,
      categories: this.categories(conversation),
      createdCategories: this.d.reads.createdCategories(conversation.bot),
      notes: this.d.reads.notes(conversationId),
      earlier: this.d.reads.earlierConversations(conversationId, 10).map((i) => this.prioritised(i)),
    };
  }

  /** The classifier's categories plus those operators created for the bot. */
  private categories(c: ConversationRecord): string[] {
    return [...new Set([...this.d.categoriesOf(c.bot), ...this.d.reads.createdCategories(c.bot)])].sort();
  }

  private correct(operator: Operator, c: ConversationRecord, category: string): void {
    this.d.reads.atomically(() => {
      this.record(operator, c.id, 'correct_category', { category });
      this.d.conversations.correctCategory(c.id, category);
    });
  }

  private assign(operator: Operator, conversationId: number, to: string): undefined {
    const c = this.conversation(conversationId);
    assertMayAssign(operator, c);
    if (!this.d.reads.operators().some((o) => o.login === to)) {
      throw new AppError('validation_failed', `there is no operator ${to}`, {
        details: { reason: 'unknown_operator', field: 'to' },
      });
    }
    if (c.assignedOperator === to) return undefined;
    const updated = this.d.reads.atomically(() => {
      this.record(operator, conversationId, 'assign', { text: to });
      return this.d.store.updateConversation(conversationId, { status: 'assigned', assignedOperator: to });
    });
    if (updated) {
      this.d.events.publish({
        type: 'conversation.changed',
        conversationId,
        status: updated.status,
        queue: updated.queue,
        assignedOperator: updated.assignedOperator,
      });
    }
    if (to !== operator.login) this.publishNotice(to, 'assigned', conversationId, operator.login);
    this.tellOwner(c, operator, 'reassigned');
    return undefined;
  }

  private reply(
    operator: Operator,
    conversationId: number,
    text: string,
    answerId: number | undefined,
    reopen: boolean,
  ): unknown {
    const conversation = this.conversation(conversationId);
    assertMayReply(operator, conversation, reopen);
    let action: 'reply' | 'accept_suggestion' | 'edit_suggestion' = 'reply';
    if (answerId !== undefined) {
      const suggested = this.d.reads.latestSuggestions(conversationId).find((s) => s.answerId === answerId);
      if (!suggested)
        throw new AppError('validation_failed', `answer ${answerId} was not suggested in this conversation`, {
          details: { reason: 'not_suggested', field: 'answerId' },
        });
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
    this.tellOwner(conversation, operator, 'reassigned');
    return { messageId, action };
  }

  /** Tells a conversation's owner that a colleague (a supervisor) acted on it. */
  private tellOwner(
    c: ConversationRecord,
    by: Operator,
    notice: 'resolved' | 'handed_back' | 'reassigned',
  ): void {
    if (c.assignedOperator && c.assignedOperator !== by.login)
      this.publishNotice(c.assignedOperator, notice, c.id, by.login);
  }

  private publishNotice(
    to: string,
    notice: 'assigned' | 'reassigned' | 'resolved' | 'handed_back',
    conversationId: number,
    by: string,
  ): void {
    this.d.events.publish({ type: 'operator.notice', to, notice, conversationId, by });
  }

  /** The knowledge base a bot's suggestions come from. */
  private kbOf(bot: string): string {
    return this.d.botOf?.(bot)?.config.nets.kb ?? 'default';
  }

  private conversation(id: number): ConversationRecord {
    const c = this.d.store.getConversation(id);
    if (!c) throw new AppError('not_found', `conversation ${id} does not exist`);
    return c;
  }

  private prioritised(item: StoredQueueItem): QueueItem {
    return withPriority(item, this.d.botOf?.(item.bot));
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
}
