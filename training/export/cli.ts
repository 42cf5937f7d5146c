/**
 * `npm run export -- labels|pairs [--format csv|jsonl] [--bot NAME] [--since DATE] [--out FILE]`
 *
 * Writes the operators' labels (one per distinct customer text, derived exactly as the
 * retraining derives them) or question → answer pairs, for people who train elsewhere. The
 * labels' CSV has `text,category` first, so `npm run train -- classifier --data FILE` reads it.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, readEnvFile } from '../../src/config.js';
import { systemClock } from '../../src/core/ports.js';
import { openCommandStore } from '../../src/store/open-store.js';
import type { CliIo } from '../commands.js';
import { deriveAnswerPairs, deriveLabels } from '../labels/derive.js';
import { parseSince } from '../labels/since.js';

const USAGE = `usage: npm run export -- labels|pairs [--format csv|jsonl] [--bot NAME] [--since DATE|DURATION] [--out FILE] [--data-dir DIR]
`;

type Row = Record<string, string | number | null>;

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV (RFC 4180, header first) or JSON Lines. */
export function formatRows(
  rows: readonly Row[],
  columns: readonly string[],
  format: 'csv' | 'jsonl',
): string {
  if (format === 'jsonl') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? null)).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'csv' },
      bot: { type: 'string' },
      since: { type: 'string' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
}

/** Runs `export WHAT ...`; returns the exit code. */
export async function runExportCli(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  now = new Date(),
): Promise<number> {
  let what: string | undefined;
  let values: ReturnType<typeof parse>['values'];
  try {
    const parsed = parse(argv);
    values = parsed.values;
    what = parsed.positionals[0];
    if (what !== 'labels' && what !== 'pairs')
      throw new Error(what ? `cannot export "${what}"` : 'export what? labels or pairs');
    if (values.format !== 'csv' && values.format !== 'jsonl') throw new Error('--format: csv or jsonl');
  } catch (err) {
    io.err.write(`export: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let since: Date | undefined;
  try {
    since = values.since === undefined ? undefined : parseSince(values.since, now);
  } catch (err) {
    io.err.write(`export: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(env);
  const store = await openCommandStore(config, {
    clock: systemClock,
    dataDir: values['data-dir'] ?? config.dataDir,
    command: 'export',
  });
  try {
    const reader = store.labels;
    const query = { bot: values.bot, since: since?.getTime() };
    const iso = (ms: number) => new Date(ms).toISOString();
    let text: string;
    let summary: string;
    if (what === 'labels') {
      const { labels, stats } = deriveLabels(await reader.categoryActions(query));
      const rows = labels.map((l) => ({
        text: l.text,
        category: l.category,
        source: l.source,
        operator: l.operator,
        labelled_at: iso(l.at),
        message_id: l.messageId,
        bot: l.bot,
      }));
      text = formatRows(
        rows,
        ['text', 'category', 'source', 'operator', 'labelled_at', 'message_id', 'bot'],
        values.format,
      );
      summary = `${labels.length} labels from ${stats.actions} operator actions (${stats.duplicates} duplicates, ${stats.conflicts} overruled, ${stats.empty} empty dropped)`;
    } else {
      const { pairs, stats } = deriveAnswerPairs(await reader.answerActions(query));
      const rows = pairs.map((p) => ({
        question: p.question,
        answer: p.answer,
        answer_id: p.answerId,
        source: p.source,
        category: p.category,
        operator: p.operator,
        answered_at: iso(p.at),
        message_id: p.messageId,
        bot: p.bot,
      }));
      text = formatRows(
        rows,
        [
          'question',
          'answer',
          'answer_id',
          'source',
          'category',
          'operator',
          'answered_at',
          'message_id',
          'bot',
        ],
        values.format,
      );
      summary = `${pairs.length} question → answer pairs from ${stats.actions} operator replies (${stats.replaced} replaced by a later answer, ${stats.empty} empty dropped)`;
    }
    if (values.out) writeFileSync(values.out, text);
    else io.out.write(text);
    io.err.write(`export ${what}: ${summary}${values.out ? ` → ${values.out}` : ''}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExportCli(
    process.argv.slice(2),
    { out: process.stdout, err: process.stderr },
    {
      ...readEnvFile('.env'),
      ...process.env,
    },
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`export: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
