// Manages the console's operators: `npm run operators -- add LOGIN [--name NAME] [--language ru]`
// stores one (password read from stdin), `list` shows them, `hash` prints a password hash for
// NEURODESK_CONSOLE_OPERATORS.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, readEnvFile } from '../config.js';
import { hashPassword } from '../console/passwords.js';
import { systemClock } from '../core/ports.js';
import { openDatabase } from '../store/index.js';
import { SqliteOperators } from '../store/repositories/operators.js';

const USAGE = `usage:
  npm run operators -- add LOGIN [--name NAME] [--language en|ru]   (password on stdin)
  npm run operators -- list
  npm run operators -- hash                                         (password on stdin)`;

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < 8) throw new Error('the password must have at least 8 characters');
  return password;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, language: { type: 'string', default: 'en' } },
  });
  const [command, login] = positionals;
  if (command === 'hash') {
    process.stdout.write(`${await hashPassword(await readPassword())}\n`);
    return;
  }
  const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
  const db = openDatabase(join(config.dataDir, 'neurodesk.db'));
  const operators = new SqliteOperators(db, systemClock);
  if (command === 'list') {
    for (const row of db
      .prepare('SELECT login, name, language, active FROM operators ORDER BY login')
      .all()) {
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } else if (command === 'add' && login && /^[\w.@-]{1,100}$/.test(login)) {
    const language = values.language === 'ru' ? 'ru' : 'en';
    const passwordHash = await hashPassword(await readPassword());
    operators.upsert({ login, name: values.name ?? login, passwordHash, language });
    process.stdout.write(`operator ${login} saved\n`);
  } else {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
  }
  db.close();
}

main().catch((err) => {
  process.stderr.write(`operators: ${(err as Error).message}\n`);
  process.exit(1);
});
