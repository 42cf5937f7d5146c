import { z } from 'zod';
import { enabled, envKey, type SecretEnv } from '../../core/bots/bot-schema.js';

/** Bitrix24's OAuth application, the optional allow-list of portal domains, and how the bot registers. */
export interface Bitrix24Settings {
  clientId: string;
  clientSecret: string;
  portals: string[];
  botCode: string;
  /** imbot.register's TYPE: `B` standard, `O` Open Lines, `H` human-like, `S` supervisor. */
  botType: 'B' | 'O' | 'H' | 'S';
  /** imbot.register's OPENLINE: whether the bot answers in Open Lines. */
  openLines: boolean;
}

/** `channels.bitrix24` of a bot file. */
export const bitrix24Section = z.strictObject({
  enabled,
  clientIdEnv: envKey,
  clientSecretEnv: envKey,
  /** Optional allow-list of portal domains (comma-separated in the variable). */
  portalsEnv: envKey.optional(),
  /** The bot's CODE when it registers itself on a portal. */
  botCode: z
    .string()
    .regex(/^[a-z0-9_]{1,50}$/i)
    .optional(),
  /** The bot's TYPE when it registers itself (default `O`, an Open Lines bot). */
  botType: z.enum(['B', 'O', 'H', 'S']).default('O'),
  /** Whether it registers in Open Lines mode (OPENLINE=Y, the default). */
  openLines: z.boolean().default(true),
});

/** The section's secrets from the environment. */
export function resolveBitrix24(
  s: z.infer<typeof bitrix24Section>,
  env: SecretEnv,
  bot: { name: string },
): Bitrix24Settings | undefined {
  const v = env.need([s.clientIdEnv, s.clientSecretEnv]);
  if (!v) return undefined;
  const portals = (s.portalsEnv ? (env.value(s.portalsEnv) ?? '') : '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const botCode = s.botCode ?? bot.name.replaceAll('-', '_');
  return {
    clientId: v[0]!,
    clientSecret: v[1]!,
    portals,
    botCode,
    botType: s.botType,
    openLines: s.openLines,
  };
}
