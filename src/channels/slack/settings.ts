import { z } from 'zod';
import { enabled, envKey } from '../../core/bots/bot-schema.js';

/** Slack's bot token and signing secret. */
export interface SlackSettings {
  botToken: string;
  signingSecret: string;
}

/** `channels.slack` of a bot file. */
export const slackSection = z.strictObject({ enabled, botTokenEnv: envKey, signingSecretEnv: envKey });
