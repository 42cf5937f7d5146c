import type { ChannelName } from '../ports.js';
import type { BotFile, TemplateSet } from './bot-schema.js';

/**
 * The channels a bot runs, by name, each with the settings its channel resolved from the
 * bot file and the environment (secrets included). The core does not look inside them.
 */
export type BotChannels = Readonly<Record<string, unknown>>;

/** A bot ready to run: its validated file and the channels enabled for it. Holds secrets: never log it. */
export interface Bot {
  name: string;
  file: string;
  config: BotFile;
  channels: BotChannels;
}

/** The settings a bot runs a channel with (the channel knows their type), if it runs it. */
export function channelSettings<S>(bot: Bot | undefined, channel: ChannelName): S | undefined {
  return bot?.channels[channel] as S | undefined;
}

/** True when the bot runs this channel. */
export function botHasChannel(bot: Bot, channel: ChannelName): boolean {
  return bot.channels[channel] !== undefined;
}

/** The templates for a language, falling back to the bot's default language. */
export function templatesFor(
  bot: Bot,
  language: string | null | undefined,
): { language: string; t: TemplateSet } {
  const t = language ? bot.config.templates[language] : undefined;
  if (t) return { language: language!, t };
  return { language: bot.config.defaultLanguage, t: bot.config.templates[bot.config.defaultLanguage]! };
}

/** The languages a bot speaks (those it has reply templates in), its default first. */
export function botLanguages(bot: Bot): string[] {
  const { defaultLanguage, templates } = bot.config;
  return [defaultLanguage, ...Object.keys(templates).filter((l) => l !== defaultLanguage)];
}

/** A category's display name in a language (then the default language's, then the category itself). */
export function categoryName(bot: Bot | undefined, category: string, language: string): string {
  const names = bot?.config.categoryNames;
  return names?.[language]?.[category] ?? names?.[bot!.config.defaultLanguage]?.[category] ?? category;
}

/** Fills `{name}` in a template; without a name the placeholder and a comma before it go away. */
export function renderTemplate(template: string, vars: { name?: string | null }): string {
  if (vars.name) return template.replaceAll('{name}', vars.name);
  return template.replace(/,?\s*\{name\}/g, '');
}

/** The categories a bot's file names (its queues and sensitive categories), sorted. */
export function botCategories(bot: Bot | undefined): string[] {
  if (!bot) return [];
  const names = new Set([...Object.keys(bot.config.queues.byCategory), ...bot.config.policy.neverAutoAnswer]);
  return [...names].sort();
}

/** The bots of this gateway, by name. */
export class BotRegistry {
  private readonly byName: ReadonlyMap<string, Bot>;

  constructor(bots: readonly Bot[]) {
    this.byName = new Map(bots.map((b) => [b.name, b]));
  }

  /** The bot of that name, if it exists. */
  get(name: string): Bot | undefined {
    return this.byName.get(name);
  }

  /** The bot of that name if it runs `channel`. */
  withChannel(name: string, channel: ChannelName): Bot | undefined {
    const bot = this.byName.get(name);
    return bot && botHasChannel(bot, channel) ? bot : undefined;
  }

  /** Every bot. */
  all(): Bot[] {
    return [...this.byName.values()];
  }
}
