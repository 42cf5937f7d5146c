import { z } from 'zod';
import { enabled, envKey, type SecretEnv } from '../../core/bots/bot-schema.js';

/** Telegram's secrets for one bot: the API token and the webhook's `secret_token`. */
export interface TelegramSettings {
  botToken: string;
  secretToken: string;
}

/** `channels.telegram` of a bot file. */
export const telegramSection = z.strictObject({ enabled, botTokenEnv: envKey, secretTokenEnv: envKey });

// Telegram's own rule for setWebhook's secret_token (https://core.telegram.org/bots/api#setwebhook).
const TELEGRAM_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/** The section's secrets from the environment (a secret Telegram would refuse is a problem). */
export function resolveTelegram(
  section: z.infer<typeof telegramSection>,
  env: SecretEnv,
): TelegramSettings | undefined {
  const v = env.need([section.botTokenEnv, section.secretTokenEnv]);
  if (!v) return undefined;
  if (!TELEGRAM_SECRET.test(v[1]!)) {
    env.problem(
      'secretTokenEnv',
      `${section.secretTokenEnv} must be 1-256 characters of A-Z, a-z, 0-9, _ and -`,
    );
    return undefined;
  }
  return { botToken: v[0]!, secretToken: v[1]! };
}
