import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/config.js';
import { runToExit, spawnGateway } from '../../helpers/process.js';

const baseEnv = (dataDir: string) => ({
  NODE_ENV: 'development',
  PORT: '0',
  LOG_LEVEL: 'silent',
  NEURODESK_DATA_DIR: dataDir,
  // Development loads the demo shop at first start; these tests are about the process, not the shop.
  NEURODESK_SHOP_DEMO: 'off',
});

describe('process lifecycle', () => {
  it('refuses to start on a bad config key and names it', async () => {
    const { code, stderr } = await runToExit('src/main.ts', {
      ...baseEnv(tempDir()),
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/refusing to start/);
    expect(stderr).toMatch(/PORT: .*eighty/);
    expect(stderr).toMatch(/LOG_LEVEL/);
  });

  it('refuses to start in production without API keys', async () => {
    const { code, stderr } = await runToExit('src/main.ts', {
      ...baseEnv(tempDir()),
      NODE_ENV: 'production',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/NEURODESK_API_KEYS/);
  });

  it('generates a development API key once, prints it, and reuses it', async () => {
    const dataDir = tempDir();
    const first = await spawnGateway('src/main.ts', baseEnv(dataDir));
    const key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
    expect(first.stdout()).toContain(key);
    expect(first.stdout()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const ok = await fetch(`${first.url}/api/v1/anything`, { headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(404);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await spawnGateway('src/main.ts', baseEnv(dataDir));
    expect(second.stdout()).not.toContain(key);
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('finishes a request in flight on SIGTERM, refuses new ones, then exits 0', async () => {
    const gw = await spawnGateway('test/fixtures/slow-gateway.ts', baseEnv(tempDir()));
    const started = Date.now();
    const inFlight = fetch(`${gw.url}/test/slow?ms=1500`);
    await new Promise((r) => setTimeout(r, 300));
    gw.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const late = await fetch(`${gw.url}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    const { code } = await gw.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
