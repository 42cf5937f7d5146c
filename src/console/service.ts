import type { Bot } from '../core/bots/bot.js';
import type {
  ConversationRecord,
  ConversationStore,
  OperatorActionKind,
  OperatorActionRecord,
} from '../core/conversation-port.js';
import type { ConversationService } from '../core/conversation-service.js';
import type { EventBus } from '../core/events.js';
import type { Clock, Suggestion } from '../core/ports.js';
import { AppError } from '../errors.js';
import { botView, withPriority } from './bot-view.js';
import type { ConsoleNote, ConsoleStats, ConsoleStore, StoredQueueItem } from './console-store-port.js';
import { toConsoleMessage } from './console-store-port.js';
import { ConsoleEventMapper } from './event-mapper.js';
import type { ConsoleService } from './hub.js';
import type { Operator } from './operator-store-port.js';
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
  latestReport?: () => Promise<string | null>;
  /** The latest rollbacks of the nets (newest first), shown with the stats. */
  rollbacks?: () => ConsoleStats['rollbacks'];
  /** Adds answers to a knowledge base (the answer index follows). */
  knowledgeBase?: { create(body: unknown): Promise<{ id: number }> };
  /** Where an event that could not be translated for the console is reported. */
  onError?: (err: unknown) => void;
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
  private readonly noticeListeners = new Set<(e: ConsoleEvent) => void>();
  private readonly mapper: ConsoleEventMapper;

  constructor(private readonly d: ConsoleCoreDeps) {
    this.mapper = new ConsoleEventMapper(d.reads, (item) => this.prioritised(item));
  }

  /** Conversations with the operators now. */
  async queue(): Promise<QueueItem[]> {
    return (await this.d.reads.queue()).map((i) => this.prioritised(i));
  }

  /** Colleagues and bots, sent in the welcome frame. */
  async team(): Promise<{
    operators: Array<{ login: string; name: string; role: string }>;
    bots: Record<string, BotView>;
  }> {
    const bots: Record<string, BotView> = {};
    for (const name of this.d.botNames?.() ?? []) {
      const bot = this.d.botOf?.(name);
      if (bot) bots[name] = botView(bot);
    }
    return {
      operators: (await this.d.reads.operators()).map(({ login, name, role }) => ({ login, name, role })),
      bots,
    };
  }

  /**
   * Maps gateway events to console events; returns the unsubscribe function. Events are
   * translated one after another (each reads the store), so they reach the listener in the
   * order they happened.
   */
  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    this.noticeListeners.add(listener);
    let chain: Promise<void> = Promise.resolve();
    let live = true;
    const off = this.d.events.subscribe((event) => {
      chain = chain
        .then(() => this.mapper.translate(event))
        .then((out) => {
          if (live) for (const e of out) listener(e);
        })
        .catch((err) => this.d.onError?.(err));
    });
    return () => {
      live = false;
      this.noticeListeners.delete(listener);
      off();
    };
  }

  /** Carries out one operator request. */
  async handle(operator: Operator, req: ClientRequest): Promise<unknown> {
    switch (req.type) {
      case 'open':
        return this.open(req.conversationId);
      case 'take': {
        assertMayTake(operator, await this.conversation(req.conversationId), req.confirm === true);
        await this.d.conversations.take(
          req.conversationId,
          operator.login,
          await this.label(operator, req.conversationId, 'take'),
        );
        return undefined;
      }
      case 'reply':
        return this.reply(operator, req.conversationId, req.text, req.answerId, req.reopen === true);
      case 'correct_category': {
        const c = await this.conversation(req.conversationId);
        assertMayAct(operator, c);
        if (!(await this.categories(c)).includes(req.category)) {
          throw new AppError('validation_failed', `"${req.category}" is not a category of bot ${c.bot}`, {
            details: { reason: 'unknown_category', field: 'category' },
          });
        }
        await this.correct(operator, c, req.category);
        return undefined;
      }
      case 'new_category': {
        const c = await this.conversation(req.conversationId);
        assertMayAct(operator, c);
        const known = this.d.categoriesOf(c.bot).includes(req.category);
        if (!known) await this.d.reads.createCategory(c.bot, req.category, operator.login);
        await this.correct(operator, c, req.category);
        return { created: !known };
      }
      case 'typing':
        await this.conversation(req.conversationId);
        this.d.events.publish({
          type: 'typing',
          conversationId: req.conversationId,
          who: 'operator',
          operator: operator.login,
        });
        return undefined;
      case 'resolve':
      case 'hand_back': {
        const c = await this.conversation(req.conversationId);
        assertMayAct(operator, c);
        const label = await this.label(operator, req.conversationId, req.type);
        if (req.type === 'resolve') await this.d.conversations.resolve(req.conversationId, label);
        else await this.d.conversations.handBack(req.conversationId, label);
        this.tellOwner(c, operator, req.type === 'resolve' ? 'resolved' : 'handed_back');
        return undefined;
      }
      case 'assign':
        return this.assign(operator, req.conversationId, req.to);
      case 'set_language':
        await this.d.reads.setOperatorLanguage(operator.login, req.language);
        operator.language = req.language;
        return undefined;
      case 'search':
        return { results: (await this.d.reads.search(req.query, 50)).map((i) => this.prioritised(i)) };
      case 'add_note': {
        const c = await this.conversation(req.conversationId);
        const { conversationId, ...note } = await this.d.reads.addNote(c.id, operator.login, req.text);
        for (const l of this.noticeListeners) l({ kind: 'note.added', conversationId, note });
        return { noteId: note.id };
      }
      case 'kb_search': {
        const c = await this.conversation(req.conversationId);
        return { answers: await this.d.reads.kbSearch(this.kbOf(c.bot), req.query, 10) };
      }
      case 'kb_add': {
        const c = await this.conversation(req.conversationId);
        if (!this.d.knowledgeBase) throw new AppError('not_found', 'this gateway has no knowledge base');
        const answer = await this.d.knowledgeBase.create({
          kb: this.kbOf(c.bot),
          text: req.text,
          ...(c.category ? { category: c.category } : {}),
          ...(c.language ? { language: c.language } : {}),
        });
        return { answerId: answer.id };
      }
      case 'saved_replies':
        return { replies: await this.d.reads.savedReplies(operator.login) };
      case 'save_reply':
        return this.d.reads.saveReply(operator.login, req.title, req.text);
      case 'stats':
        return {
          ...(await this.d.reads.stats(
            this.d.clock.now(),
            req.days ?? 14,
            (await this.d.latestReport?.()) ?? null,
          )),
          rollbacks: this.d.rollbacks?.() ?? [],
        };
    }
  }

  private async open(conversationId: number): Promise<ConversationDetail> {
    const conversation = await this.conversation(conversationId);
    const item = await this.d.reads.conversationItem(conversationId);
    if (!item) throw new AppError('not_found', `conversation ${conversationId} does not exist`);
    const last = await this.d.reads.lastInbound(conversationId);
    const [messages, suggestions, predictions, categories, createdCategories, notes, earlier] =
      await Promise.all([
        this.d.reads.history(conversationId),
        this.d.reads.latestSuggestions(conversationId),
        last ? this.d.reads.predictionsFor(last.id) : undefined,
        this.categories(conversation),
        this.d.reads.createdCategories(conversation.bot),
        this.d.reads.notes(conversationId),
        this.d.reads.earlierConversations(conversationId, 10),
      ]);
    return {
      item: this.prioritised(item),
      messages: messages.map(toConsoleMessage),
      suggestions: suggestions.slice(0, 3),
      classification: predictions?.classification ?? null,
      categories,
      createdCategories,
      notes,
      earlier: earlier.map((i) => this.prioritised(i)),
    };
  }

  /** The classifier's categories plus those operators created for the bot. */
  private async categories(c: ConversationRecord): Promise<string[]> {
    const created = await this.d.reads.createdCategories(c.bot);
    return [...new Set([...this.d.categoriesOf(c.bot), ...created])].sort();
  }

  private async correct(operator: Operator, c: ConversationRecord, category: string): Promise<void> {
    const label = await this.label(operator, c.id, 'correct_category', { category });
    await this.d.conversations.correctCategory(c.id, category, label);
  }

  private async assign(operator: Operator, conversationId: number, to: string): Promise<undefined> {
    const c = await this.conversation(conversationId);
    assertMayAssign(operator, c);
    if (!(await this.d.reads.operators()).some((o) => o.login === to)) {
      throw new AppError('validation_failed', `there is no operator ${to}`, {
        details: { reason: 'unknown_operator', field: 'to' },
      });
    }
    if (c.assignedOperator === to) return undefined;
    const updated = await this.d.store.updateConversation(
      conversationId,
      { status: 'assigned', assignedOperator: to },
      await this.label(operator, conversationId, 'assign', { text: to }),
    );
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

  private async reply(
    operator: Operator,
    conversationId: number,
    text: string,
    answerId: number | undefined,
    reopen: boolean,
  ): Promise<unknown> {
    const conversation = await this.conversation(conversationId);
    assertMayReply(operator, conversation, reopen);
    let action: 'reply' | 'accept_suggestion' | 'edit_suggestion' = 'reply';
    if (answerId !== undefined) {
      const suggested = (await this.d.reads.latestSuggestions(conversationId)).find(
        (s) => s.answerId === answerId,
      );
      if (!suggested)
        throw new AppError('validation_failed', `answer ${answerId} was not suggested in this conversation`, {
          details: { reason: 'not_suggested', field: 'answerId' },
        });
      action = suggested.text.trim() === text.trim() ? 'accept_suggestion' : 'edit_suggestion';
    }
    // The label and the reply it describes are stored together or not at all.
    const label = await this.label(operator, conversationId, action, {
      category: conversation.category,
      answerId: answerId ?? null,
      text,
    });
    const sent = await this.d.conversations.reply(conversationId, operator.login, text, label);
    if (!sent) throw new AppError('not_found', `conversation ${conversationId} does not exist`);
    this.tellOwner(conversation, operator, 'reassigned');
    return { messageId: sent.messageId, action };
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
    for (const l of this.noticeListeners) l({ kind: 'notice', to, notice, conversationId, by });
  }

  /** The knowledge base a bot's suggestions come from. */
  private kbOf(bot: string): string {
    return this.d.botOf?.(bot)?.config.nets.kb ?? 'default';
  }

  private async conversation(id: number): Promise<ConversationRecord> {
    const c = await this.d.store.getConversation(id);
    if (!c) throw new AppError('not_found', `conversation ${id} does not exist`);
    return c;
  }

  private prioritised(item: StoredQueueItem): QueueItem {
    return withPriority(item, this.d.botOf?.(item.bot));
  }

  /**
   * An operator's action as a label for the next training run: the latest customer message
   * it judged, and the predictions made on it with the nets' versions. The caller stores it
   * with the change or reply it describes.
   */
  private async label(
    operator: Operator,
    conversationId: number,
    action: OperatorActionKind,
    extra: { category?: string | null; answerId?: number | null; text?: string | null } = {},
  ): Promise<OperatorActionRecord> {
    const last = await this.d.reads.lastInbound(conversationId);
    const predictions = last
      ? await this.d.reads.predictionsFor(last.id)
      : { predictionIds: [], netVersions: {} };
    return {
      conversationId,
      messageId: last?.id ?? null,
      operator: operator.login,
      action,
      category: extra.category ?? null,
      answerId: extra.answerId ?? null,
      text: extra.text ?? null,
      predictionIds: predictions.predictionIds,
      netVersions: predictions.netVersions,
    };
  }
}
