/**
 * Bot files as this gateway reads them: the core's loader with the sections of every
 * channel in `index.ts`.
 */
import type { ChannelSettings } from '../core/bots/bot-schema.js';
import { botFileSchemaFor } from '../core/bots/bot-schema.js';
import * as core from '../core/bots/load-bots.js';
import { CHANNEL_SETTINGS } from './index.js';

export { BotConfigError, type LoadedBots } from '../core/bots/load-bots.js';

/** The schema of a bot file with every channel's section. */
export const botFileSchema = botFileSchemaFor(CHANNEL_SETTINGS);

/** Reads, validates and resolves every bot file of `dir` (see the core's `loadBots`). */
export const loadBots = (
  dir: string,
  env: Record<string, string | undefined>,
  channels: readonly ChannelSettings[] = CHANNEL_SETTINGS,
) => core.loadBots(dir, env, channels);

/** Validates one bot file's text; problems are appended as `file: field.path: message`. */
export const parseBotFile = (file: string, text: string, problems: string[]) =>
  core.parseBotFile(file, text, problems, CHANNEL_SETTINGS);
