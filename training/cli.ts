import { pathToFileURL } from 'node:url';
import { classifierCommands } from './classifier/commands.js';
import type { CliIo, NetCommands } from './commands.js';
import { qaCommands } from './qa/commands.js';

/**
 * `npm run train -- KIND ...` and `npm run evaluate -- KIND ...`: one dispatcher, one entry
 * per kind of net. A new kind (e.g. `qa`) adds itself to {@link NET_KINDS}.
 */
export const NET_KINDS: Record<string, NetCommands> = {
  classifier: classifierCommands,
  qa: qaCommands,
};

function usage(): string {
  const lines = Object.values(NET_KINDS).flatMap((k) => [k.usage.train, k.usage.evaluate]);
  return `usage:\n${lines.map((l) => `  npm run ${l.replace(/^(\w+) /, '$1 -- ')}`).join('\n')}\n`;
}

/** Runs `train|evaluate KIND ...args`; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, kind, ...rest] = argv;
  const commands = kind ? NET_KINDS[kind] : undefined;
  if ((command !== 'train' && command !== 'evaluate') || !commands) {
    io.err.write(usage());
    return 2;
  }
  try {
    return await commands[command](rest, io);
  } catch (err) {
    io.err.write(`${command} ${kind}: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
