import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration, parseSize } from '../../../src/config.js';

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './data', env: 'development' });
    expect(c.bodyLimitBytes).toBe(256 * 1024);
    expect(c.shutdownTimeoutMs).toBe(10_000);
  });

  it('coerces numbers, durations and sizes', () => {
    const c = loadConfig({ PORT: '9000', NEURODESK_SHUTDOWN_TIMEOUT: '2s', NEURODESK_BODY_LIMIT: '1mb' });
    expect(c.port).toBe(9000);
    expect(c.shutdownTimeoutMs).toBe(2000);
    expect(c.bodyLimitBytes).toBe(1024 * 1024);
  });

  it('names every bad key in one error', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', NEURODESK_DB_BUSY_TIMEOUT: 'soon' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: .*eighty/m);
      expect(problems).toMatch(/^LOG_LEVEL: /m);
      expect(problems).toMatch(/^NEURODESK_DB_BUSY_TIMEOUT: .*soon/m);
    }
  });

  it('refuses production without API keys', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/NEURODESK_API_KEYS/);
    expect(loadConfig({ NODE_ENV: 'production', NEURODESK_API_KEYS: 'a, b' }).apiKeys).toEqual(['a', 'b']);
  });

  it('selects PostgreSQL by URL, with pool size, statement timeout and claim lease', () => {
    expect(loadConfig({}).database).toEqual({
      url: undefined,
      poolSize: 10,
      statementTimeoutMs: 5000,
      claimLeaseMs: 30_000,
    });
    const c = loadConfig({
      NEURODESK_DATABASE_URL: 'postgres://neurodesk@db:5432/desk',
      NEURODESK_DB_POOL_SIZE: '4',
      NEURODESK_DB_STATEMENT_TIMEOUT_MS: '2500',
      NEURODESK_CLAIM_LEASE: '1m',
    });
    expect(c.database).toEqual({
      url: 'postgres://neurodesk@db:5432/desk',
      poolSize: 4,
      statementTimeoutMs: 2500,
      claimLeaseMs: 60_000,
    });
    expect(() => loadConfig({ NEURODESK_DATABASE_URL: 'mysql://db/desk' })).toThrow(
      /NEURODESK_DATABASE_URL: expected a PostgreSQL URL/,
    );
    expect(() => loadConfig({ NEURODESK_DB_POOL_SIZE: '0' })).toThrow(/NEURODESK_DB_POOL_SIZE/);
    expect(() =>
      loadConfig({ NEURODESK_DATABASE_URL: 'postgres://db/desk', NEURODESK_CLAIM_LEASE: '10s' }),
    ).toThrow(/NEURODESK_CLAIM_LEASE: must be longer than NEURODESK_OUTBOUND_TIMEOUT \(10000 ms\)/);
  });

  it('parses duration and size units', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('10')).toBe(10);
    expect(parseDuration('ten')).toBeUndefined();
    expect(parseSize('64kb')).toBe(65_536);
    expect(parseSize('-1')).toBeUndefined();
  });
});

describe('configuration docs', () => {
  it('documents every key in .env.example and README', async () => {
    const { readFileSync } = await import('node:fs');
    const { configSchema } = await import('../../../src/config.js');
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    const keys = Object.keys(configSchema.shape);
    expect(keys.filter((k) => !new RegExp(`^${k}=`, 'm').test(example))).toEqual([]);
    expect(
      keys.filter((k) => !readme.includes(k) && !readme.includes(k.replace(/_(MAX|BURST)$/, ''))),
    ).toEqual([]);
  });
});
