import { z } from 'zod';
import { enabled } from '../../core/bots/bot-schema.js';

/** The chat websocket's settings: which browser origins may open it. */
export interface ChatSettings {
  allowedOrigins: string[];
}

const origin = z
  .string()
  .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be "*" or an origin such as https://shop.example');

/** `channels.chat` of a bot file (on without it). */
export const chatSection = z.strictObject({ enabled, allowedOrigins: z.array(origin).max(100).default([]) });
