import { rmSync } from 'node:fs';
import { spawnGateway } from '../gateway-process.js';

/** Seconds from spawning the gateway to its "listening" line and to `/readyz` answering 200. */
export interface StartTimes {
  listeningSeconds: number;
  readySeconds: number;
}

async function startOnce(dataDir: string): Promise<StartTimes> {
  const g = await spawnGateway({
    entry: 'tsx',
    env: {
      NODE_ENV: 'development',
      NEURODESK_DATA_DIR: dataDir,
      NEURODESK_API_KEYS: 'bench-key',
      NEURODESK_SHOP_DEMO: 'on',
    },
    pollMs: 20,
  });
  await g.stop();
  return { listeningSeconds: g.listeningSeconds, readySeconds: g.readySeconds };
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
