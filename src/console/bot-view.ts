import type { Bot } from '../core/bots/bot.js';
import type { StoredQueueItem } from './console-store-port.js';
import type { BotView, QueueItem } from './protocol.js';

/** What the console shows of a bot file: queues with their SLAs, sensitive categories, display names. */
export function botView(bot: Bot): BotView {
  const q = bot.config.queues;
  const queues = [...new Set([q.default, ...Object.values(q.byCategory)])].sort();
  return {
    queues,
    slaMinutes: q.slaMinutes ?? {},
    sensitive: [...bot.config.policy.neverAutoAnswer].sort(),
    categoryNames: bot.config.categoryNames ?? {},
  };
}

/** Adds `sensitive`, `slaDueAt` and (when none is stored) the category's queue from the bot's file to a stored queue line. */
export function withPriority(item: StoredQueueItem, bot: Bot | undefined): QueueItem {
  const policy = bot?.config.policy;
  const q = bot?.config.queues;
  // A conversation taken back from the bot has no queue stored: its category's queue is its queue.
  const queue =
    item.queue ?? (item.category ? q?.byCategory[item.category] : undefined) ?? q?.default ?? null;
  const minutes = queue ? (q?.slaMinutes?.[queue] ?? q?.slaMinutes?.[q.default]) : undefined;
  // Field by field: the store's record is not the wire type, nothing else of it goes out.
  return {
    conversationId: item.conversationId,
    bot: item.bot,
    channel: item.channel,
    customer: { id: item.customer.id, name: item.customer.name },
    firstLine: item.firstLine,
    lastLine: item.lastLine,
    category: item.category,
    confidence: item.confidence,
    status: item.status,
    queue,
    assignedTo: item.assignedTo,
    waitingSince: item.waitingSince,
    language: item.language,
    sensitive: Boolean(item.category && policy?.neverAutoAnswer.includes(item.category)),
    slaDueAt: minutes ? item.waitingSince + minutes * 60_000 : null,
  };
}
