import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ChannelName } from '../ports.js';
import type { Bot, BotChannels } from './bot.js';
import { type BotFile, botFileSchema } from './bot-schema.js';

/** Bots that failed validation; each problem names the file and the field. */
export class BotConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid bot configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BotConfigError';
    this.problems = problems;
  }
}

/** What loading found besides errors: channels left off because their keys are not set. */
export interface LoadedBots {
  bots: Bot[];
  notes: string[];
}

type Env = Record<string, string | undefined>;

// Telegram's own rule for setWebhook's secret_token (https://core.telegram.org/bots/api#setwebhook).
const TELEGRAM_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Reads every `*.json` in `dir`, validates it, and resolves the secrets its channels name
 * from `env`. A channel runs when all its required keys are set; with none set it is left
 * off (and noted); with some set it is an error, since that is a half-done configuration.
 */
export function loadBots(dir: string, env: Env): LoadedBots {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new BotConfigError([
      `${dir}: cannot read the bots directory (${(err as NodeJS.ErrnoException).code})`,
    ]);
  }
  if (files.length === 0) throw new BotConfigError([`${dir}: no bot files (*.json)`]);

  const problems: string[] = [];
  const notes: string[] = [];
  const bots: Bot[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const parsed = parseBotFile(file, readFileSync(file, 'utf8'), problems);
    if (!parsed) continue;
    if (parsed.name !== basename(name, '.json')) {
      problems.push(`${file}: name: "${parsed.name}" must match the file name "${basename(name, '.json')}"`);
      continue;
    }
    const channels = resolveChannels(file, parsed, env, problems, notes);
    bots.push({ name: parsed.name, file, config: parsed, channels });
  }
  if (problems.length > 0) throw new BotConfigError(problems);
  return { bots, notes };
}

/** Validates one file's text; problems are appended as `file: field.path: message`. */
export function parseBotFile(file: string, text: string, problems: string[]): BotFile | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.push(`${file}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
  const result = botFileSchema.safeParse(json);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return undefined;
}

function resolveChannels(
  file: string,
  bot: BotFile,
  env: Env,
  problems: string[],
  notes: string[],
): BotChannels {
  const out: BotChannels = {};
  const c = bot.channels;
  const value = (key: string) => {
    const v = env[key];
    return v === undefined || v === '' ? undefined : v;
  };
  /** All of `keys` set → their values; none → undefined (noted); some → a problem. */
  const need = (channel: ChannelName, keys: string[]): string[] | undefined => {
    const missing = keys.filter((k) => value(k) === undefined);
    if (missing.length === keys.length) {
      notes.push(
        `bot ${bot.name}: channel ${channel} is off until ${keys.join(' and ')} ${keys.length > 1 ? 'are' : 'is'} set`,
      );
      return undefined;
    }
    if (missing.length > 0) {
      problems.push(
        `${file}: channels.${channel}: ${missing.join(', ')} not set (the channel's other keys are)`,
      );
      return undefined;
    }
    return keys.map((k) => value(k)!);
  };

  if (c.rest?.enabled ?? true) out.rest = {};
  if (c.chat?.enabled ?? true) out.chat = { allowedOrigins: c.chat?.allowedOrigins ?? [] };
  if (c.telegram?.enabled) {
    const v = need('telegram', [c.telegram.botTokenEnv, c.telegram.secretTokenEnv]);
    if (v && !TELEGRAM_SECRET.test(v[1]!)) {
      problems.push(
        `${file}: channels.telegram.secretTokenEnv: ${c.telegram.secretTokenEnv} must be 1-256 characters of A-Z, a-z, 0-9, _ and -`,
      );
    } else if (v) out.telegram = { botToken: v[0]!, secretToken: v[1]! };
  }
  if (c.bitrix24?.enabled) {
    const v = need('bitrix24', [c.bitrix24.clientIdEnv, c.bitrix24.clientSecretEnv]);
    if (v) {
      const portals = (c.bitrix24.portalsEnv ? (value(c.bitrix24.portalsEnv) ?? '') : '')
        .split(',')
        .map((p) => p.trim().toLowerCase())
        .filter(Boolean);
      const botCode = c.bitrix24.botCode ?? bot.name.replaceAll('-', '_');
      out.bitrix24 = { clientId: v[0]!, clientSecret: v[1]!, portals, botCode };
    }
  }
  if (c.chatwoot?.enabled) {
    const v = need('chatwoot', [c.chatwoot.apiTokenEnv]);
    if (v) {
      const hmacSecret = c.chatwoot.hmacSecretEnv ? value(c.chatwoot.hmacSecretEnv) : undefined;
      if (!hmacSecret)
        notes.push(`bot ${bot.name}: chatwoot webhooks are not signature-checked (no HMAC secret set)`);
      out.chatwoot = { apiToken: v[0]!, hmacSecret, apiUrl: c.chatwoot.apiUrl };
    }
  }
  if (c.slack?.enabled) {
    const v = need('slack', [c.slack.botTokenEnv, c.slack.signingSecretEnv]);
    if (v) out.slack = { botToken: v[0]!, signingSecret: v[1]! };
  }
  return out;
}
