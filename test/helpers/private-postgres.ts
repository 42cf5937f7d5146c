/**
 * A PostgreSQL server of the test's own (scripts/test-postgres.sh: a temporary directory, a
 * loopback port, owned by user postgres), which the test may stop and start again on the
 * same port — never the shared server `NEURODESK_TEST_DATABASE_URL` names.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'test-postgres.sh');

/** A private server: its URL, and how to stop it, start it again, and remove it. */
export interface PrivatePostgres {
  url: string;
  stop(): void;
  start(): void;
  remove(): void;
}

function bindir(): string {
  const out = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], {
    encoding: 'utf8',
  }).trim();
  if (!out) throw new Error('PostgreSQL server binaries not found');
  return out;
}

const asOwner = (cmd: string, args: string[]) =>
  process.getuid?.() === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
    : execFileSync(cmd, args, { stdio: 'pipe' });

/** Starts a private server (seconds); throws when PostgreSQL is not installed. */
export function startPrivatePostgres(): PrivatePostgres {
  const out = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', cwd: ROOT });
  const dir = /NEURODESK_TEST_PG_DIR='([^']+)'/.exec(out)?.[1];
  const url = /NEURODESK_TEST_DATABASE_URL='([^']+)'/.exec(out)?.[1];
  if (!dir || !url) throw new Error(`test-postgres.sh printed no server: ${out}`);
  const data = join(dir, 'data');
  // The options it was started with (port, socket directory...), to start it the same way again.
  const opts = readFileSync(join(data, 'postmaster.opts'), 'utf8');
  const args = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const settings = args.slice(args.indexOf('-D') + 2);
  const pgCtl = join(bindir(), 'pg_ctl');
  return {
    url,
    stop: () => asOwner(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']),
    start: () =>
      asOwner(pgCtl, [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        settings.map((s) => `"${s}"`).join(' '),
        'start',
      ]),
    remove: () => execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'pipe', cwd: ROOT }),
  };
}
