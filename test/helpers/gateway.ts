import type { AnswerSuggester, Clock, TicketClassifier } from '../../src/core/ports.js';
import type { Logger } from '../../src/logger.js';
import { type Gateway, startGateway } from '../../src/server.js';
import { sqliteDatabaseOf } from '../../src/store/sqlite.js';
import { tempDir, testConfig } from './config.js';
import { KeywordClassifier, KeywordSuggester } from './keyword-nets.js';
import { defaultNets } from './real-nets.js';
import type { PlatformStandIn } from './stand-in.js';

/** Secrets for every channel of the default bot, as the bot file names them. */
export const CHANNEL_ENV = {
  BANK_SUPPORT_TELEGRAM_BOT_TOKEN: '123456:TEST-telegram-bot-token',
  BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET: 'tg_webhook-secret_0123456789',
  BANK_SUPPORT_SLACK_BOT_TOKEN: 'xoxb-test-slack-bot-token',
  BANK_SUPPORT_SLACK_SIGNING_SECRET: 'test-slack-signing-secret',
  BANK_SUPPORT_CHATWOOT_API_TOKEN: 'test-chatwoot-api-token',
  BANK_SUPPORT_CHATWOOT_HMAC_SECRET: 'test-chatwoot-hmac-secret',
  BANK_SUPPORT_BITRIX24_CLIENT_ID: 'local.6779636e712043.37129431',
  BANK_SUPPORT_BITRIX24_CLIENT_SECRET: 'test-bitrix24-client-secret',
  BANK_SUPPORT_VK_TOKEN: 'vk1.a.test-community-token',
  BANK_SUPPORT_VK_SECRET: 'test-vk-callback-secret',
  BANK_SUPPORT_VK_CONFIRMATION: '1a2b3c4d',
};

/** Options for {@link startTestGateway}. */
export interface TestGatewayOptions {
  dataDir?: string;
  /** The platforms' APIs: Telegram at `/telegram`, Slack at `/slack`, Chatwoot at `/chatwoot`, Bitrix24 OAuth at `/oauth`, VK at `/vk`. */
  standIn?: PlatformStandIn;
  config?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /**
   * `keywords` (the default): the keyword stand-ins, for tests that need nets to fail, be
   * slow or steer the policy; `default`: the committed nets, loaded once per test file, for
   * tests that assert the replies a customer would really get. An injected classifier or
   * suggester replaces that side of either.
   */
  nets?: 'default' | 'keywords';
  classifier?: TicketClassifier;
  suggester?: AnswerSuggester;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The real gateway in-process on a loopback port, with the default bot (keyword stand-ins
 * or the committed nets and knowledge base), every channel switched on, short retry delays and the platforms' APIs
 * pointed at a stand-in.
 */
export async function startTestGateway(o: TestGatewayOptions = {}): Promise<Gateway & { dataDir: string }> {
  const dataDir = o.dataDir ?? tempDir();
  const base = o.standIn?.url ?? 'http://127.0.0.1:9';
  const config = testConfig({
    NEURODESK_DATA_DIR: dataDir,
    NEURODESK_RETRY_BASE: '20ms',
    NEURODESK_RETRY_MAX: '100ms',
    NEURODESK_WORKER_POLL: '10ms',
    NEURODESK_OUTBOUND_TIMEOUT: '2s',
    NEURODESK_TELEGRAM_API_URL: `${base}/telegram`,
    NEURODESK_SLACK_API_URL: `${base}/slack`,
    NEURODESK_CHATWOOT_API_URL: `${base}/chatwoot`,
    NEURODESK_BITRIX24_OAUTH_URL: `${base}/oauth`,
    NEURODESK_VK_API_URL: `${base}/vk`,
    ...o.config,
  });
  const keywords = o.nets !== 'default';
  const gw = await startGateway(config, {
    env: { ...CHANNEL_ENV, ...o.env },
    classifier: o.classifier ?? (keywords ? new KeywordClassifier() : undefined),
    suggester: o.suggester ?? (keywords ? new KeywordSuggester() : undefined),
    sharedNets: keywords ? undefined : await defaultNets(),
    clock: o.clock,
    logger: o.logger,
  });
  return Object.assign(gw, { dataDir });
}

/** One row of a query on the gateway's database. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary rows.
export function row(gw: Gateway, sql: string, ...params: unknown[]): any {
  return sqliteDatabaseOf(gw.store)
    .prepare(sql)
    .get(...params);
}

/** All rows of a query on the gateway's database. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary rows.
export function rows(gw: Gateway, sql: string, ...params: unknown[]): any[] {
  return sqliteDatabaseOf(gw.store)
    .prepare(sql)
    .all(...params);
}

/** How many inbound messages, jobs and outbox items the gateway holds. */
export function counts(gw: Gateway): { inbound: number; jobs: number; outbox: number } {
  return row(
    gw,
    `SELECT (SELECT COUNT(*) FROM messages WHERE direction = 'in') AS inbound,
            (SELECT COUNT(*) FROM jobs) AS jobs, (SELECT COUNT(*) FROM outbox) AS outbox`,
  );
}

/**
 * {@link counts} once the gateway has finished what earlier deliveries started (no job pending
 * or running, no reply waiting to be sent; up to 10 s): on a loaded machine an earlier test's
 * replies may still be on their way, and a count taken then would move under the next test.
 */
export async function settledCounts(gw: Gateway): Promise<{ inbound: number; jobs: number; outbox: number }> {
  const busy = () =>
    row(
      gw,
      `SELECT (SELECT COUNT(*) FROM jobs WHERE status IN ('pending', 'running'))
            + (SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')) AS n`,
    ).n as number;
  const until = Date.now() + 10_000;
  while (busy() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return counts(gw);
}
