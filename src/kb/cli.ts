/**
 * The knowledge base's command line:
 *
 *   npm run kb -- import FILE [--kb default] [--data-dir DIR]
 *   npm run kb -- list [--kb default] [--data-dir DIR]
 *
 * `import` reads a CSV (header with `text`, optional `category`, `language`, `active`, `kb`),
 * JSON Lines or JSON file, checks every row, and stores all of them in one transaction, or
 * nothing (exit 1, naming each bad row). A running gateway embeds the new answers at its next
 * check (`NEURODESK_KB_SYNC_INTERVAL`). The data dir comes from the environment
 * (`NEURODESK_DATA_DIR`, as for the gateway) unless `--data-dir` is given.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, readEnvFile } from '../config.js';
import { systemClock } from '../core/ports.js';
import { openCommandStore } from '../store/open-store.js';
import { AnswerImportError } from './import-answers.js';
import { DEFAULT_KB, KnowledgeBase } from './knowledge-base.js';

const USAGE = `usage: npm run kb -- import FILE [--kb NAME] [--data-dir DIR]
       npm run kb -- list [--kb NAME] [--data-dir DIR]`;

/** Where the command line writes. */
export interface KbCliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the command line; returns the exit code. */
export async function runKbCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: KbCliIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { kb: { type: 'string', default: DEFAULT_KB }, 'data-dir': { type: 'string' } },
  });
  const [command, file] = positionals;
  if ((command !== 'import' || !file) && command !== 'list') {
    io.err(USAGE);
    return 2;
  }
  const config = loadConfig(env);
  const dataDir = values['data-dir'] ?? config.dataDir;
  const where = config.database.url ? 'the PostgreSQL database' : join(dataDir, 'neurodesk.db');
  const store = await openCommandStore(config, { clock: systemClock, dataDir, command: 'kb' });
  try {
    const kb = new KnowledgeBase(store.knowledgeBase);
    if (command === 'list') {
      const { answers, total } = await kb.list({ kb: values.kb, limit: 1000, offset: 0 });
      for (const a of answers)
        io.out(
          `${a.id}\t${a.category ?? '-'}\t${a.language}\t${a.active ? 'active' : 'inactive'}\t${a.text.slice(0, 80)}`,
        );
      io.out(`${total} answer(s) in "${values.kb}"`);
      return 0;
    }
    try {
      const stored = await kb.importFile(file!, values.kb);
      io.out(`imported ${stored.length} answer(s) into "${values.kb}" in ${where}`);
      io.out('a running gateway embeds them at its next check (NEURODESK_KB_SYNC_INTERVAL)');
      return 0;
    } catch (err) {
      if (!(err instanceof AnswerImportError)) throw err;
      for (const p of err.problems) io.err(`${file} row ${p.row}: ${p.message}`);
      io.err(`import refused: nothing was stored (${err.problems.length} problem(s) shown)`);
      return 1;
    }
  } finally {
    await store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io = {
    out: (l: string) => process.stdout.write(`${l}\n`),
    err: (l: string) => process.stderr.write(`${l}\n`),
  };
  runKbCli(process.argv.slice(2), { ...readEnvFile('.env'), ...process.env }, io).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`kb: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
