/**
 * Every channel the gateway speaks, one folder each. Adding a platform is its folder and a
 * line here: the bot-file sections, the API URL settings, the log redactions, the webhook
 * routes and the outbound sides all come from this list.
 */
import type { ChannelSettings } from '../core/bots/bot-schema.js';
import { bitrix24 } from './bitrix24/index.js';
import { chat } from './chat/index.js';
import { chatwoot } from './chatwoot/index.js';
import type { ApiUrlSetting, Channel } from './contract.js';
import { rest } from './rest/index.js';
import { slack } from './slack/index.js';
import { telegram } from './telegram/index.js';
import { vk } from './vk/index.js';

/** The channels, in the order their routes are mounted. */
export const CHANNELS: readonly Channel<unknown>[] = [
  rest,
  chat,
  telegram,
  bitrix24,
  chatwoot,
  slack,
  vk,
] as Channel<unknown>[];

/** Their bot-file sections, as the bot loader takes them. */
export const CHANNEL_SETTINGS: readonly ChannelSettings[] = CHANNELS;

/** Every platform API URL setting. */
export const CHANNEL_API_URLS: readonly ApiUrlSetting[] = CHANNELS.flatMap((c) => c.apiUrls ?? []);

/** Every header a channel keeps out of the logs. */
export const CHANNEL_SECRET_HEADERS: readonly string[] = CHANNELS.flatMap((c) => c.secretHeaders ?? []);
