/**
 * The bot's policy: given what the nets said, answer by itself or hand the conversation to
 * the operators. Pure: the same inputs always give the same decision, so it is tested on
 * its own and every decision can be explained by its `reason`.
 */
import { type Bot, renderTemplate, templatesFor } from './bots/bot.js';
import type { ConversationStatus, Decision } from './conversation-port.js';
import type { Classification, Suggestion, SuggestionResult } from './ports.js';

/** What the policy looks at for one message. */
export interface PolicyInput {
  text: string;
  language: string | null;
  customerName: string | null;
  status: ConversationStatus;
  /** The customer pressed "talk to a person" or wrote one of the handoff keywords. */
  askedForPerson: boolean;
  classification?: Classification;
  suggestions?: SuggestionResult;
}

/** The queue for a category: the bot's mapping, else its default queue. */
export function queueFor(bot: Bot, category: string | null): string {
  return (category && bot.config.queues.byCategory[category]) || bot.config.queues.default;
}

/** True when the text contains one of the handoff keywords of any of the bot's languages. */
export function asksForPerson(bot: Bot, text: string): boolean {
  const lower = text.toLocaleLowerCase();
  for (const t of Object.values(bot.config.templates)) {
    for (const k of t?.handoffKeywords ?? []) if (lower.includes(k.toLocaleLowerCase())) return true;
  }
  return false;
}

/**
 * Whether the message needs the nets. An empty text or a request for a person does not;
 * an operator's conversation does, so the operator sees a category and suggestions.
 */
export function needsNets(input: Pick<PolicyInput, 'text' | 'askedForPerson'>): boolean {
  return !input.askedForPerson && input.text.trim().length > 0;
}

/** Decides what to do with one inbound message. */
export function decide(bot: Bot, input: PolicyInput): Decision {
  const { language, t } = templatesFor(bot, input.language);
  const name = { name: input.customerName };
  const category = input.classification?.category ?? null;
  const confidence = input.classification?.confidence ?? null;
  const suggestions = input.suggestions?.suggestions ?? [];
  const base = { category, confidence, suggestions, language };

  if (input.status === 'assigned') {
    return { ...base, action: 'silent', reason: 'operator_active', queue: null, replyText: null };
  }
  const handoff = (reason: string): Decision => {
    const queue = queueFor(bot, category);
    // Already waiting for an operator: say it once, not on every new message.
    const replyText = input.status === 'queued' ? null : renderTemplate(t.handoff, name);
    return { ...base, action: 'handoff', reason, queue, replyText };
  };
  if (input.askedForPerson) return handoff('customer_request');
  if (input.text.trim().length === 0) {
    return {
      ...base,
      action: 'fallback',
      reason: 'no_text',
      queue: null,
      replyText: renderTemplate(t.fallback, name),
    };
  }
  const c = input.classification;
  if (!c) return handoff('not_classified');
  const p = bot.config.policy;
  if (p.neverAutoAnswer.includes(c.category)) return handoff('sensitive_category');
  if (c.unsure || c.confidence < p.minConfidence) return handoff('low_confidence');
  const second = c.top.find((x) => x.category !== c.category);
  if (second && c.confidence - second.confidence < p.minConfidenceGap) return handoff('ambiguous_category');
  const best = suggestions[0];
  if (!best) return handoff('no_answer');
  const minScore = p.minAnswerScore ?? input.suggestions?.threshold ?? 1;
  if (!(best.score >= minScore)) return handoff('low_answer_score');
  const rival = suggestions.find((s) => s.answerId !== best.answerId && s.category !== best.category);
  if (rival && best.score - rival.score < p.minAnswerGap) return handoff('ambiguous_answer');
  return { ...base, action: 'auto_reply', reason: 'confident', queue: null, replyText: best.text };
}

/** Reasons where showing the customer the candidate answers can help while they wait. */
export const OFFER_ANSWERS_ON = new Set(['ambiguous_answer', 'ambiguous_category']);

/**
 * The customer picked one of the suggested answers offered with a handoff: send it. The
 * conversation keeps its place in the operators' queue; an unknown choice changes nothing.
 */
export function decideChoice(bot: Bot, input: PolicyInput, choice: Suggestion | undefined): Decision {
  const { language } = templatesFor(bot, input.language);
  const base = { suggestions: choice ? [choice] : [], language, queue: null, confidence: null };
  if (!choice || input.status === 'assigned') {
    return {
      ...base,
      action: 'silent',
      reason: choice ? 'operator_active' : 'unknown_choice',
      category: null,
      replyText: null,
    };
  }
  return {
    ...base,
    action: 'auto_reply',
    reason: 'customer_choice',
    category: choice.category,
    replyText: choice.text,
  };
}
