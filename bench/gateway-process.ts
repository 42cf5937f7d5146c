import { type ChildProcess, spawn } from 'node:child_process';

/** A gateway running in a child process, so a load generator does not share its event loop. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Seconds from the spawn to the "listening" line, and to `/readyz` answering 200. */
  listeningSeconds: number;
  readySeconds: number;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns the gateway — the build in dist (as `npm start` runs it) or the TypeScript through
 * tsx — on a free loopback port with `env` on top of PATH, PORT=0 and LOG_LEVEL=warn, and
 * resolves once `/readyz` is 200.
 */
export async function spawnGateway(o: {
  /** The build, `src/main.ts` through tsx, or another TypeScript entry (e.g. a test fixture) through tsx. */
  entry: 'dist' | 'tsx' | { script: string };
  env: Record<string, string>;
  pollMs?: number;
}): Promise<GatewayProcess> {
  const started = performance.now();
  const args =
    o.entry === 'dist'
      ? ['dist/src/main.js']
      : ['--import', 'tsx', typeof o.entry === 'object' ? o.entry.script : 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...o.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /neurodesk listening on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
    });
    const listeningSeconds = (performance.now() - started) / 1000;
    for (;;) {
      const res = await fetch(`${url}/readyz`).catch(() => undefined);
      if (res?.status === 200) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 100));
    }
    return { url, child, listeningSeconds, readySeconds: (performance.now() - started) / 1000, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
