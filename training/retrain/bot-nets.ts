import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBotFile } from '../../src/channels/bot-files.js';
import { DEFAULT_KB } from '../../src/kb/knowledge-base.js';

/** The nets and the knowledge base a bot file names. */
export function botNets(botsDir: string, bot: string): { classifier: string; qa: string; kb: string } {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(bot)) throw new Error(`"${bot}" is not a bot name`);
  const file = join(botsDir, `${bot}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no bot "${bot}": ${file} cannot be read`);
  }
  const problems: string[] = [];
  const parsed = parseBotFile(file, text, problems);
  if (!parsed) throw new Error(problems.join('; '));
  return { classifier: parsed.nets.classifier, qa: parsed.nets.qa, kb: parsed.nets.kb ?? DEFAULT_KB };
}
