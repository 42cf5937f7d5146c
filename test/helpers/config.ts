import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config.js';

/** A fresh temporary directory for one test's data. */
export function tempDir(prefix = 'neurodesk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A config for in-process tests: port 0 on loopback, a temp data dir, one known API key. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NEURODESK_DATA_DIR: tempDir(),
    NEURODESK_API_KEYS: TEST_API_KEY,
    ...overrides,
  });
}

/** The API key {@link testConfig} accepts. */
export const TEST_API_KEY = 'test-key-0123456789';

/** Headers that authenticate as {@link TEST_API_KEY}. */
export const authHeaders = { authorization: `Bearer ${TEST_API_KEY}` };
