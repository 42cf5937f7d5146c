import { z } from 'zod';
import { enabled, envKey } from '../../core/bots/bot-schema.js';

/** Chatwoot's bot access token and, when configured, the webhook HMAC secret and a self-hosted instance. */
export interface ChatwootSettings {
  apiToken: string;
  hmacSecret?: string;
  apiUrl?: string;
}

/** `channels.chatwoot` of a bot file. */
export const chatwootSection = z.strictObject({
  enabled,
  apiTokenEnv: envKey,
  hmacSecretEnv: envKey.optional(),
  /** A self-hosted Chatwoot for this bot; otherwise NEURODESK_CHATWOOT_API_URL. */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
});
