import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Seconds from spawning the gateway to its "listening" line and to `/readyz` answering 200. */
export interface StartTimes {
  listeningSeconds: number;
  readySeconds: number;
}

async function startOnce(dataDir: string): Promise<StartTimes> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      PORT: '0',
      LOG_LEVEL: 'warn',
      NEURODESK_DATA_DIR: dataDir,
      NEURODESK_API_KEYS: 'bench-key',
      NEURODESK_SHOP_DEMO: 'on',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
      await new Promise((r) => setTimeout(r, 20));
    }
    return { listeningSeconds, readySeconds: (performance.now() - started) / 1000 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/**
 * The default start with the demo shop, as `npm run dev` runs it (TypeScript through tsx):
 * the first start loads the demo into a fresh database, the second finds it loaded.
 */
export async function measureDemoStart(dataDir: string): Promise<{ first: StartTimes; restart: StartTimes }> {
  rmSync(dataDir, { recursive: true, force: true });
  const first = await startOnce(dataDir);
  const restart = await startOnce(dataDir);
  return { first, restart };
}
