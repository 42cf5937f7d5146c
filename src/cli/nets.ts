// `npm run nets -- rollback NAME [--reason TEXT] [--nets-dir DIR]`: CURRENT of nets/NAME back to
// the version in service before the current one, logged in nets/NAME/rollbacks.jsonl. The running
// gateway serves it within seconds (its watch of CURRENT). `npm run nets -- rollbacks` lists the
// latest ones.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, readEnvFile } from '../config.js';
import { latestRollbacks, RollbackError, rollbackNet } from '../nets/rollback.js';

const USAGE = `usage:
  npm run nets -- rollback NAME [--reason TEXT] [--nets-dir DIR]   CURRENT back to the previous promoted version
  npm run nets -- rollbacks [--nets-dir DIR]                       the latest rollbacks of every net`;

interface Io {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

/** Runs `nets COMMAND ...`; returns the exit code (0 done, 1 refused, 2 usage). */
export function runNetsCli(argv: string[], io: Io, env: Record<string, string | undefined>): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err.write(`nets: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, name] = parsed.positionals;
  const netsDir = parsed.values['nets-dir'] ?? loadConfig(env).netsDir;
  if (command === 'rollbacks' && !name) {
    for (const r of latestRollbacks(netsDir, 50)) io.out.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  if (command !== 'rollback' || !name || !/^[\w.-]+$/.test(name) || parsed.positionals.length > 2) {
    io.err.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const r = rollbackNet(join(netsDir, name), {
      by: `cli:${env.USER ?? 'unknown'}`,
      reason: parsed.values.reason,
    });
    io.out.write(
      `rolled back ${r.net}: CURRENT ${r.from} → ${r.to} (logged in ${join(netsDir, name, 'rollbacks.jsonl')}); a running gateway serves ${r.to} within seconds\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof RollbackError)) throw err;
    io.err.write(`nets: rollback refused: ${err.message}\n`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { reason: { type: 'string' }, 'nets-dir': { type: 'string' } },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runNetsCli(
    process.argv.slice(2),
    { out: process.stdout, err: process.stderr },
    { ...readEnvFile('.env'), ...process.env },
  );
}
