import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config.js';

describe('gateway configuration', () => {
  it('defaults to the platforms’ public APIs and documented retry and limit settings', () => {
    const c = loadConfig({});
    expect(c.platformUrls).toEqual({
      telegram: 'https://api.telegram.org',
      slack: 'https://slack.com/api',
      chatwoot: 'https://app.chatwoot.com',
      bitrix24OAuth: 'https://oauth.bitrix.info',
      vk: 'https://api.vk.com/method',
    });
    expect(c).toMatchObject({
      botsDir: './bots',
      outboxMaxAttempts: 12,
      retryBaseMs: 2000,
      retryMaxMs: 600_000,
      jobMaxAttempts: 5,
      webhookToleranceMs: 300_000,
      rateLimitPerMinute: 6000,
      rateLimitBurst: 600,
      chatMaxPayloadBytes: 4096,
      wsHeartbeatMs: 30_000,
    });
    expect(c.publicUrl).toBeUndefined();
  });

  it('takes self-hosted API URLs without a trailing slash and names bad keys', () => {
    const c = loadConfig({
      NEURODESK_CHATWOOT_API_URL: 'https://chat.shop.example/',
      NEURODESK_PUBLIC_URL: 'https://desk.example/',
    });
    expect(c.platformUrls.chatwoot).toBe('https://chat.shop.example');
    expect(c.publicUrl).toBe('https://desk.example');
    try {
      loadConfig({
        NEURODESK_TELEGRAM_API_URL: 'ftp://x',
        NEURODESK_OUTBOX_MAX_ATTEMPTS: '0',
        NEURODESK_RETRY_BASE: 'soon',
      });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^NEURODESK_TELEGRAM_API_URL: /m);
      expect(problems).toMatch(/^NEURODESK_OUTBOX_MAX_ATTEMPTS: .*1 to 100/m);
      expect(problems).toMatch(/^NEURODESK_RETRY_BASE: .*soon/m);
    }
  });

  it('defaults the nets runtime to a 256 MB cache, a 2 s poll and batches of 32 within 2 ms, and names bad keys', () => {
    expect(loadConfig({}).nets).toEqual({
      cacheBytes: 256 * 1024 ** 2,
      pollMs: 2000,
      workers: 1,
      batchMaxSize: 32,
      batchMaxWaitMs: 2,
    });
    expect(loadConfig({ NEURODESK_NET_WORKERS: '0', NEURODESK_BATCH_MAX_SIZE: '1' }).nets).toMatchObject({
      workers: 0,
      batchMaxSize: 1,
    });
    try {
      loadConfig({ NEURODESK_NETS_CACHE_MB: '0', NEURODESK_BATCH_MAX_WAIT: 'soon' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^NEURODESK_NETS_CACHE_MB: /m);
      expect(problems).toMatch(/^NEURODESK_BATCH_MAX_WAIT: .*soon/m);
    }
  });
});
