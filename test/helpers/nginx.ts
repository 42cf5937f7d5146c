/**
 * nginx in front of gateway processes, with the project's own configuration
 * (deploy/nginx/neurodesk.conf) rendered for loopback ports: only its upstream `server`
 * lines and its `listen` line change. Runs in the foreground of a temporary prefix, as the
 * test's child; Debian's nginx (`nginx-light` or `nginx`) must be installed (`.ci/run` does).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './config.js';
import { waitFor } from './wait.js';

const CONF = fileURLToPath(new URL('../../deploy/nginx/neurodesk.conf', import.meta.url));

/** The nginx binary, or undefined when it is not installed (tests skip; `CI=1` makes them fail). */
export function nginxBinary(): string | undefined {
  for (const path of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(path, ['-v'], { stdio: 'ignore' });
      return path;
    } catch {}
  }
  if (process.env.CI === '1') throw new Error('nginx is not installed: the load balancer tests cannot run');
  console.warn('nginx not installed: skipping the load balancer tests');
  return undefined;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The project's configuration with these upstream ports and this listen port. */
export function renderConfig(upstreams: readonly number[], listen: number): string {
  const conf = readFileSync(CONF, 'utf8');
  const servers = /^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n/gm;
  const first = servers.exec(conf);
  if (!first) throw new Error('no upstream server line in neurodesk.conf');
  const lines = upstreams.map((p) => `${first[1]}server 127.0.0.1:${p}${first[2] ?? ''};\n`).join('');
  let rendered = conf.replace(servers, '');
  rendered = rendered.replace(/(upstream neurodesk \{\n(?:\s*#[^\n]*\n)*)/, `$1${lines}`);
  if (!/^\s*listen \d+;/m.test(rendered)) throw new Error('no listen line in neurodesk.conf');
  return rendered.replace(/^(\s*)listen \d+;/m, `$1listen 127.0.0.1:${listen};`);
}

/** A running nginx. */
export interface Nginx {
  url: string;
  port: number;
  child: ChildProcess;
  errorLog(): string;
  close(): Promise<void>;
}

/** Starts nginx in front of the gateways on `upstreams` (loopback ports). */
export async function startNginx(bin: string, upstreams: readonly number[]): Promise<Nginx> {
  const dir = tempDir('neurodesk-nginx-');
  const port = await freePort();
  writeFileSync(join(dir, 'neurodesk.conf'), renderConfig(upstreams, port));
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      // As root, nginx's workers would run as nobody, who cannot write the temporary prefix.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      `  include ${dir}/neurodesk.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const errorLog = () => {
    try {
      return stderr + readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return stderr;
    }
  };
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${errorLog()}`);
      return fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      );
    },
    10_000,
    'nginx to listen',
  );
  return {
    url,
    port,
    child,
    errorLog,
    async close() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
