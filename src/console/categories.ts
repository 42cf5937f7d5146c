import { type Bot, botCategories } from '../core/bots/bot.js';

/** The part of the nets registry the console reads: a served net's info (a classifier's labels). */
export interface ServedNets {
  served(name: string): { prepared: { info: Record<string, unknown> } } | undefined;
}

/**
 * The categories an operator may choose for a bot: the labels of the classifier it serves
 * (what the net can learn without a new category), else the categories its file names.
 * Anything else is a new category, created explicitly (`new_category`).
 */
export function consoleCategories(bot: Bot | undefined, nets: ServedNets): string[] {
  if (!bot) return [];
  const labels = nets.served(bot.config.nets.classifier)?.prepared.info.labels;
  if (Array.isArray(labels) && labels.every((l) => typeof l === 'string') && labels.length > 0)
    return [...(labels as string[])].sort();
  return botCategories(bot);
}
