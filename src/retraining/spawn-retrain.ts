import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Where a scheduled run reads and writes, and the gate it applies (the gateway's own config). */
export interface RetrainChildSettings {
  dataDir: string;
  netsDir: string;
  botsDir: string;
  backend: string;
  env: Record<string, string>;
}

/** A retraining child process: its exit code, and how to stop it. */
export interface RetrainChild {
  done: Promise<number>;
  stop(): void;
}

// Source under tsx (`.ts`), compiled under dist (`.js`): run the retrain CLI the same way.
const SELF = fileURLToPath(import.meta.url);
const FROM_SOURCE = SELF.endsWith('.ts');
const CLI = fileURLToPath(
  new URL(`../../training/retrain/cli.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url),
);

/**
 * Starts `retrain KIND --bot NAME` (KIND: classifier or qa) as a child process at low CPU priority, so training
 * (minutes of single-threaded TF.js work) never blocks the gateway's event loop and yields the
 * cores to serving. Each line it prints goes to `onLine`.
 */
export function spawnRetrain(
  job: { bot: string; kind: 'classifier' | 'qa' },
  s: RetrainChildSettings,
  onLine: (stream: 'out' | 'err', line: string) => void,
): RetrainChild {
  const args = [
    ...(FROM_SOURCE ? ['--import', 'tsx'] : []),
    CLI,
    job.kind,
    '--bot',
    job.bot,
    '--data-dir',
    s.dataDir,
    '--nets-dir',
    s.netsDir,
    '--bots-dir',
    s.botsDir,
    '--backend',
    s.backend,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    if (child.pid !== undefined) setPriority(child.pid, 10);
  } catch {
    // Not allowed on this system: the run simply competes at normal priority.
  }
  for (const [name, stream] of [
    ['out', child.stdout],
    ['err', child.stderr],
  ] as const) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split(/\r?\n|\r/);
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(name, line);
    });
    stream?.on('end', () => {
      if (rest.trim()) onLine(name, rest);
    });
  }
  const done = new Promise<number>((resolve) => {
    child.on('error', () => resolve(1));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
  return { done, stop: () => child.kill('SIGTERM') };
}
