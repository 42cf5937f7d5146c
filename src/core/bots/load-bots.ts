import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Bot } from './bot.js';
import { type BotFile, botFileSchemaFor, type ChannelSettings, type SecretEnv } from './bot-schema.js';

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

/**
 * Reads every `*.json` in `dir`, validates it against the sections of `channels`, and
 * resolves the secrets its channels name from `env`. A channel runs when all its required
 * keys are set; with none set it is left off (and noted); with some set it is an error,
 * since that is a half-done configuration.
 */
export function loadBots(dir: string, env: Env, channels: readonly ChannelSettings[]): LoadedBots {
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
    const parsed = parseBotFile(file, readFileSync(file, 'utf8'), problems, channels);
    if (!parsed) continue;
    if (parsed.name !== basename(name, '.json')) {
      problems.push(`${file}: name: "${parsed.name}" must match the file name "${basename(name, '.json')}"`);
      continue;
    }
    const resolved = resolveChannels(file, parsed, env, channels, problems, notes);
    bots.push({ name: parsed.name, file, config: parsed, channels: resolved });
  }
  if (problems.length > 0) throw new BotConfigError(problems);
  return { bots, notes };
}

/** Validates one file's text; problems are appended as `file: field.path: message`. */
export function parseBotFile(
  file: string,
  text: string,
  problems: string[],
  channels: readonly ChannelSettings[],
): BotFile | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.push(`${file}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
  const result = botFileSchemaFor(channels).safeParse(json);
  if (result.success) return result.data as BotFile;
  for (const issue of result.error.issues) {
    problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return undefined;
}

function resolveChannels(
  file: string,
  bot: BotFile,
  env: Env,
  channels: readonly ChannelSettings[],
  problems: string[],
  notes: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const value = (key: string) => {
    const v = env[key];
    return v === undefined || v === '' ? undefined : v;
  };
  for (const channel of channels) {
    const section = bot.channels[channel.name] as { enabled?: boolean } | undefined;
    if (!(section ? section.enabled !== false : channel.onByDefault)) continue;
    const secrets: SecretEnv = {
      value,
      need(keys) {
        const missing = keys.filter((k) => value(k) === undefined);
        if (missing.length === keys.length) {
          notes.push(
            `bot ${bot.name}: channel ${channel.name} is off until ${keys.join(' and ')} ${keys.length > 1 ? 'are' : 'is'} set`,
          );
          return undefined;
        }
        if (missing.length > 0) {
          problems.push(
            `${file}: channels.${channel.name}: ${missing.join(', ')} not set (the channel's other keys are)`,
          );
          return undefined;
        }
        return keys.map((k) => value(k)!);
      },
      problem: (field, message) => problems.push(`${file}: channels.${channel.name}.${field}: ${message}`),
      note: (message) => notes.push(`bot ${bot.name}: ${message}`),
    };
    const settings = channel.resolve(section ?? {}, secrets, bot);
    if (settings !== undefined) out[channel.name] = settings;
  }
  return out;
}
