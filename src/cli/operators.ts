import { parseArgs } from 'node:util';
import { loadConfig, readEnvFile } from '../config.js';
import { hashPassword } from '../console/passwords.js';
import { systemClock } from '../core/ports.js';
import { openCommandStore } from '../store/open-store.js';

const USAGE = `usage:
  npm run operators -- add LOGIN [--name NAME] [--language en|ru] [--role operator|supervisor]   (password on stdin)
  npm run operators -- role LOGIN operator|supervisor
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
    options: {
      name: { type: 'string' },
      language: { type: 'string', default: 'en' },
      role: { type: 'string' },
    },
  });
  const [command, login, roleArg] = positionals;
  const role = command === 'role' ? roleArg : values.role;
  if (role !== undefined && role !== 'operator' && role !== 'supervisor') {
    process.stderr.write(`the role must be operator or supervisor\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (command === 'hash') {
    process.stdout.write(`${await hashPassword(await readPassword())}\n`);
    return;
  }
  const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
  const store = await openCommandStore(config, { clock: systemClock, command: 'operators' });
  const operators = store.operators;
  if (command === 'list') {
    // The active operators (the ones who can sign in), by login.
    for (const { login, name, language, role } of await operators.list()) {
      process.stdout.write(`${JSON.stringify({ login, name, language, role })}\n`);
    }
  } else if (command === 'add' && login && /^[\w.@-]{1,100}$/.test(login)) {
    const language = values.language === 'ru' ? 'ru' : 'en';
    const passwordHash = await hashPassword(await readPassword());
    await operators.upsert({ login, name: values.name ?? login, passwordHash, language });
    if (role) await operators.setRole(login, role);
    process.stdout.write(`operator ${login} saved\n`);
  } else if (command === 'role' && login && role) {
    if (!(await operators.setRole(login, role))) throw new Error(`no operator ${login}`);
    process.stdout.write(`operator ${login} is now ${role}\n`);
  } else {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
  }
  await store.close();
}

main().catch((err) => {
  process.stderr.write(`operators: ${(err as Error).message}\n`);
  process.exit(1);
});
