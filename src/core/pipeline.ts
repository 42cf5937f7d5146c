/**
 * The pipeline for one stored message: classify → suggest → decide → commit the decision
 * with its replies (outbox items) in one transaction → announce. It runs from the job
 * worker, or inline for the REST API (which answers with the decision).
 */
import type { Logger } from '../logger.js';
import type { BotRegistry } from './bots/bot.js';
import { type Bot, categoryName, templatesFor } from './bots/bot.js';
import type {
  ConversationRecord,
  ConversationStore,
  Decision,
  MessageRecord,
  RecordedReply,
} from './conversation-port.js';
import type { EventBus } from './events.js';
import { detectLanguage } from './language.js';
import { asksForPerson, decide, decideChoice, needsNets, OFFER_ANSWERS_ON } from './policy.js';
import type {
  AnswerSuggester,
  Classification,
  PredictionRecord,
  ProductRecommender,
  SuggestionResult,
  TicketClassifier,
} from './ports.js';
import {
  answerIdOf,
  type ChannelOutbounds,
  type PlanContext,
  productIdOf,
  productLines,
  type ReplyAction,
} from './replies.js';

/** Everything the pipeline works with. */
export interface PipelineDeps {
  bots: BotRegistry;
  conversations: ConversationStore;
  classifier: TicketClassifier;
  suggester: AnswerSuggester;
  outbounds: ChannelOutbounds;
  events: EventBus;
  logger: Logger;
  /** The shop, for bots that attach products to replies about a product. */
  products?: ProductRecommender;
}

/** The line above attached products when the bot file gives none; `{product}` is the product's title. */
export const DEFAULT_PRODUCTS_HEADING: Readonly<Record<string, string>> = {
  en: 'Often bought with {product}:',
  ru: 'С товаром «{product}» часто покупают:',
};

/** How to run one message: inline (REST answers with it) and/or as the last attempt (nets errors become a handoff). */
export interface ProcessOptions {
  jobId?: number;
  inline?: boolean;
  final?: boolean;
}

/** What processing produced. */
export interface ProcessResult {
  messageId: number;
  conversationId: number;
  decision: Decision;
}

/** Runs the bot's policy on stored messages. */
export class MessagePipeline {
  constructor(private readonly d: PipelineDeps) {}

  /** Processes one stored message; throws (for a retry) when the nets fail and this is not the final attempt. */
  async process(messageId: number, o: ProcessOptions = {}): Promise<ProcessResult | undefined> {
    const loaded = await this.d.conversations.loadMessage(messageId);
    if (!loaded) return undefined;
    const { message, conversation } = loaded;
    const bot = this.d.bots.get(conversation.bot);
    if (!bot) {
      this.d.logger.warn(
        { messageId, bot: conversation.bot },
        'message for a bot that is no longer configured',
      );
      return this.commit(message, conversation, undefined, this.orphanDecision(), [], [], o);
    }

    const meta = message.meta ?? {};
    const input = {
      text: message.text,
      // The language of this message (a customer may switch), else the conversation's so far.
      language: detectLanguage(message.text) ?? conversation.language,
      customerName: conversation.customerName,
      status: conversation.status,
      askedForPerson: meta.action === 'handoff' || asksForPerson(bot, message.text),
    };
    const picked = typeof meta.action === 'string' ? answerIdOf(meta.action) : undefined;
    if (picked !== undefined) {
      // A button press choosing one of the answers offered earlier: no nets needed.
      const choice = await this.d.conversations.findSuggestion(conversation.id, picked);
      const decision = decideChoice(bot, input, choice);
      return this.commit(
        message,
        conversation,
        bot,
        decision,
        this.actionsFor(bot, decision, conversation, meta),
        [],
        o,
      );
    }
    const pressed = typeof meta.action === 'string' ? productIdOf(meta.action) : undefined;
    if (pressed !== undefined) {
      // A product button: what goes with that product. No nets, no change to the conversation.
      const { language } = templatesFor(bot, conversation.language);
      const products = this.productsFor(bot, language, { productId: pressed });
      const decision: Decision = {
        action: 'silent',
        reason: products ? 'product_choice' : 'unknown_product',
        category: null,
        confidence: null,
        suggestions: [],
        queue: null,
        replyText: null,
        language,
      };
      const actions: ReplyAction[] = [];
      if (typeof meta.callbackId === 'string')
        actions.push({ kind: 'callback_answer', callbackId: meta.callbackId });
      if (products) actions.push(products);
      return this.commit(message, conversation, bot, decision, actions, [], o);
    }
    const { askedForPerson } = input;
    const predictions: PredictionRecord[] = [];
    let classification: Classification | undefined;
    let suggestions: SuggestionResult | undefined;
    if (needsNets({ text: message.text, askedForPerson })) {
      try {
        classification = await this.d.classifier.classify(bot.config.nets.classifier, message.text);
        // Ranked by score alone, in the customer's language when it has a relevant answer: the
        // predicted category does not pin its answers first (a 0.003 answer above a 0.89 one).
        suggestions = await this.d.suggester.suggest(bot.config.nets.qa, message.text, {
          k: bot.config.policy.suggestions,
          kb: bot.config.nets.kb,
          language: input.language ?? bot.config.defaultLanguage,
          minRelevantScore: bot.config.policy.minRelevantScore,
        });
      } catch (err) {
        if (!o.final) throw err;
        // On the last attempt keep what did work: a classification still routes the handoff.
        this.d.logger.error(
          { err, messageId, classified: classification !== undefined },
          'nets failed on the last attempt: handing off',
        );
        suggestions = undefined;
      }
    }
    if (classification) predictions.push(classifyRecord(messageId, classification));
    if (suggestions) predictions.push(suggestRecord(messageId, suggestions));

    const decision = decide(bot, { ...input, classification, suggestions });
    const actions = this.actionsFor(bot, decision, conversation, meta);
    if (decision.action !== 'silent') {
      const productId = typeof meta.productId === 'string' ? meta.productId : undefined;
      const products = this.productsFor(bot, decision.language, { text: message.text, productId });
      if (products) actions.push(products);
    }
    return this.commit(message, conversation, bot, decision, actions, predictions, o);
  }

  private actionsFor(
    bot: Bot,
    decision: Decision,
    conversation: ConversationRecord,
    meta: Record<string, unknown>,
  ): ReplyAction[] {
    const actions: ReplyAction[] = [];
    if (typeof meta.callbackId === 'string')
      actions.push({ kind: 'callback_answer', callbackId: meta.callbackId });
    const { t } = templatesFor(bot, decision.language);
    if (decision.action === 'auto_reply' && decision.replyText) {
      actions.push({
        kind: 'message',
        text: decision.replyText,
        buttons: [{ text: t.talkToPerson, action: 'handoff' }],
      });
    } else if (decision.action === 'fallback' && decision.replyText) {
      actions.push({ kind: 'message', text: decision.replyText });
    } else if (decision.action === 'handoff' && decision.replyText) {
      // When the bot hesitated between answers, the customer may pick one while waiting.
      const options = OFFER_ANSWERS_ON.has(decision.reason)
        ? decision.suggestions.slice(0, 3).map((x) => ({ answerId: x.answerId, text: x.text }))
        : undefined;
      actions.push({
        kind: 'handoff',
        text: decision.replyText,
        queue: decision.queue ?? bot.config.queues.default,
        ...(options?.length ? { options } : {}),
      });
    }
    // Operators on the platform itself (a help-desk platform's agents) see the suggestions as a private note.
    const forOperators =
      decision.reason !== 'customer_choice' &&
      (decision.action === 'handoff' || conversation.status === 'assigned');
    if (forOperators && decision.suggestions.length > 0) {
      actions.push({
        kind: 'suggestions',
        text: formatSuggestions(bot, decision),
        suggestions: decision.suggestions,
      });
    }
    return actions;
  }

  /** Products to attach when the bot has the shop on and the message is about a known product. */
  private productsFor(
    bot: Bot,
    language: string,
    q: { text?: string; productId?: string },
  ): ReplyAction | undefined {
    const shop = bot.config.shop;
    if (!shop?.enabled || !this.d.products) return undefined;
    let picks: ReturnType<ProductRecommender['forConversation']>;
    try {
      picks = this.d.products.forConversation({
        ...q,
        k: shop.k,
        minTitleSimilarity: shop.minTitleSimilarity,
      });
    } catch (err) {
      // Recommendations are an extra: the reply goes out without them.
      this.d.logger.warn({ err, bot: bot.name }, 'shop recommendations failed; replying without them');
      return undefined;
    }
    if (!picks) return undefined;
    const template =
      shop.heading[language] ?? DEFAULT_PRODUCTS_HEADING[language] ?? DEFAULT_PRODUCTS_HEADING.en!;
    const heading = template.replaceAll('{product}', picks.about.title);
    return { kind: 'products', heading, text: productLines(heading, picks.items), items: picks.items };
  }

  private async commit(
    message: MessageRecord,
    conversation: ConversationRecord,
    bot: Bot | undefined,
    decision: Decision,
    actions: ReplyAction[],
    predictions: PredictionRecord[],
    o: ProcessOptions,
  ): Promise<ProcessResult> {
    const outbound = this.d.outbounds.get(conversation.channel);
    const replies: RecordedReply[] = actions.map((action) => {
      const context: PlanContext = { deliveredInline: o.inline === true, author: 'bot' };
      return {
        action,
        author: 'bot',
        visible: action.kind === 'message' || action.kind === 'handoff' || action.kind === 'products',
        sends: outbound ? outbound.plan(action, conversation, context) : [],
      };
    });
    const status =
      decision.action === 'handoff' && conversation.status !== 'assigned' ? 'queued' : conversation.status;
    const ids = await this.d.conversations.recordOutcome({
      messageId: message.id,
      conversationId: conversation.id,
      bot: conversation.bot,
      channel: conversation.channel,
      decision,
      predictions,
      conversation: {
        status,
        queue: decision.action === 'handoff' ? decision.queue : conversation.queue,
        language: bot ? decision.language : undefined,
      },
      replies,
      jobId: o.jobId,
      durable: o.inline === true,
    });
    this.d.logger.info(
      {
        messageId: message.id,
        conversationId: conversation.id,
        action: decision.action,
        reason: decision.reason,
        category: decision.category,
        confidence: decision.confidence,
      },
      'message decided',
    );
    this.d.events.publish({
      type: 'message.decided',
      bot: conversation.bot,
      conversationId: conversation.id,
      messageId: message.id,
      action: decision.action,
      category: decision.category,
      confidence: decision.confidence,
    });
    if (status !== conversation.status || decision.action === 'handoff') {
      this.d.events.publish({
        type: 'conversation.changed',
        conversationId: conversation.id,
        status,
        queue: decision.queue,
        assignedOperator: conversation.assignedOperator,
      });
    }
    if (ids.messageIds.length > 0) {
      this.d.events.publish({
        type: 'messages.added',
        conversationId: conversation.id,
        messageIds: ids.messageIds,
      });
    }
    if (ids.outboxIds.length > 0) {
      this.d.events.publish({
        type: 'reply.queued',
        conversationId: conversation.id,
        outboxIds: ids.outboxIds,
      });
    }
    return { messageId: message.id, conversationId: conversation.id, decision };
  }

  private orphanDecision(): Decision {
    return {
      action: 'silent',
      reason: 'bot_removed',
      category: null,
      confidence: null,
      suggestions: [],
      queue: null,
      replyText: null,
      language: 'en',
    };
  }
}

function classifyRecord(messageId: number, c: Classification): PredictionRecord {
  return {
    messageId,
    kind: 'classify',
    netName: c.net.name,
    netVersion: c.net.version,
    label: c.category,
    confidence: c.confidence,
    top: c.top,
    latencyMs: c.latencyMs,
  };
}

function suggestRecord(messageId: number, s: SuggestionResult): PredictionRecord {
  const best = s.suggestions[0];
  return {
    messageId,
    kind: 'suggest',
    netName: s.net.name,
    netVersion: s.net.version,
    label: best ? String(best.answerId) : null,
    confidence: best?.score ?? null,
    top: s.suggestions.map((x) => ({ answerId: x.answerId, score: x.score, category: x.category })),
    latencyMs: s.latencyMs,
  };
}

/** The operators' note on a platform: the category by its display name in the conversation's language, then the answers. */
function formatSuggestions(bot: Bot, d: Decision): string {
  const head = d.category
    ? `neurodesk: ${categoryName(bot, d.category, d.language)} (${Math.round((d.confidence ?? 0) * 100)}%). Suggested answers:`
    : 'neurodesk: suggested answers:';
  const lines = d.suggestions.map((s, i) => `${i + 1}. [${s.score.toFixed(2)}] ${s.text}`);
  return [head, ...lines].join('\n');
}
