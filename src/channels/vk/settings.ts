import { z } from 'zod';
import { enabled, envKey } from '../../core/bots/bot-schema.js';

/** A VK community's access token, its Callback API secret key and confirmation string. */
export interface VkSettings {
  token: string;
  secret: string;
  confirmation: string;
  /** The community; events for another are refused. */
  groupId?: number;
}

/** `channels.vk` of a bot file. */
export const vkSection = z.strictObject({
  enabled,
  /** The community access token (messages scope). */
  tokenEnv: envKey,
  /** The Callback API's secret key: VK sends it in every event's `secret`. */
  secretEnv: envKey,
  /** The string the Callback API settings ask the server to answer to `confirmation`. */
  confirmationEnv: envKey,
  groupId: z.int().positive().optional(),
});
