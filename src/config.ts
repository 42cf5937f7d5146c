import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { CHANNEL_API_URLS } from './channels/index.js';
import { parseCron } from './retraining/cron.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses `250ms`, `10s`, `2m`, `1h`, `1d` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 'ms').toLowerCase()]!);
}

/** Parses `256kb`, `1mb`, `512b` or a bare number of bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 10s or 2m, got "${v}"` });
        return z.NEVER;
      }
      return ms;
    });

const size = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const bytes = parseSize(v);
      if (bytes === undefined || bytes <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a size such as 256kb or 1mb, got "${v}"` });
        return z.NEVER;
      }
      return bytes;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v);
      if (!/^\s*-?\d+\s*$/.test(v) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const number = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

/** A number, or null when unset, empty or `off` (an optional hard limit). */
const optionalNumber = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '' || v.trim().toLowerCase() === 'off') return null;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected off or a number from ${min} to ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });

const cron = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return null;
    try {
      parseCron(v);
      return v.trim();
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a cron expression such as "30 3 * * *": ${(err as Error).message}`,
      });
      return z.NEVER;
    }
  });

const httpUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/ })
    .default(fallback)
    .transform((u) => u.replace(/\/+$/, ''));

const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

/** Every environment key the service reads, with its default. `.env.example` documents each one. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(8080, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NEURODESK_DATA_DIR: z.string().min(1).default('./data'),
  NEURODESK_API_KEYS: list,
  NEURODESK_BODY_LIMIT: size('256kb'),
  NEURODESK_DB_BUSY_TIMEOUT: duration('5s'),
  NEURODESK_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a PostgreSQL URL such as postgres://user@host:5432/neurodesk')
    .optional(),
  NEURODESK_DB_POOL_SIZE: int(10, 1, 1000),
  NEURODESK_DB_STATEMENT_TIMEOUT_MS: int(5000, 0, 3_600_000),
  NEURODESK_CLAIM_LEASE: duration('30s'),
  NEURODESK_SHUTDOWN_TIMEOUT: duration('10s'),
  NEURODESK_BOTS_DIR: z.string().min(1).default('./bots'),
  NEURODESK_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  // Each channel's platform API URLs (NEURODESK_<PLATFORM>_API_URL, ...), from src/channels.
  ...(Object.fromEntries(CHANNEL_API_URLS.map((u) => [u.env, httpUrl(u.default)])) as Record<
    string,
    ReturnType<typeof httpUrl>
  >),
  NEURODESK_OUTBOUND_TIMEOUT: duration('10s'),
  NEURODESK_OUTBOX_MAX_ATTEMPTS: int(12, 1, 100),
  NEURODESK_RETRY_BASE: duration('2s'),
  NEURODESK_RETRY_MAX: duration('10m'),
  NEURODESK_JOB_MAX_ATTEMPTS: int(5, 1, 100),
  NEURODESK_WORKER_POLL: duration('250ms'),
  NEURODESK_WEBHOOK_TOLERANCE: duration('5m'),
  NEURODESK_RATE_LIMIT: int(6000, 0, 1_000_000),
  NEURODESK_RATE_LIMIT_BURST: int(600, 1, 1_000_000),
  NEURODESK_CHAT_MAX_PAYLOAD: size('4kb'),
  NEURODESK_WS_HEARTBEAT: duration('30s'),
  NEURODESK_CONSOLE_OPERATORS: list,
  NEURODESK_CONSOLE_SESSION_TTL: duration('12h'),
  NEURODESK_CONSOLE_SECURE_COOKIE: z.enum(['true', 'false']).default('false'),
  NEURODESK_CONSOLE_ORIGINS: list,
  NEURODESK_SHOP_DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  NEURODESK_SHOP_DEMO_DIR: z.string().min(1).default('training/data/online-retail'),
  NEURODESK_SHOP_REBUILD_INTERVAL: duration('5m'),
  NEURODESK_DEMO_PAGE: z.enum(['auto', 'on', 'off']).default('auto'),
  NEURODESK_DEMO_BOT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a bot name such as bank-support')
    .default('bank-support'),
  NEURODESK_TF_BACKEND: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  NEURODESK_NETS_DIR: z.string().min(1).default('./nets'),
  NEURODESK_CLASSIFIER_NET: z
    .string()
    .regex(/^[\w.-]+$/, 'expected a net folder name such as bank-classifier')
    .default('bank-classifier'),
  NEURODESK_RETRAIN_SCHEDULE: cron,
  NEURODESK_RETRAIN_HELD_OUT: number(0.2, 0, 0.5),
  NEURODESK_RETRAIN_CONFIDENCE: number(0.95, 0.5, 0.9999),
  NEURODESK_RETRAIN_F1_TOLERANCE: optionalNumber(0, 100),
  NEURODESK_RETRAIN_MAX_CATEGORY_DROP: optionalNumber(0, 100),
  NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT: int(10, 1, 1_000_000),
  NEURODESK_QA_NET: z
    .string()
    .regex(/^[\w.-]+$/, 'expected a net folder name such as bank-qa')
    .default('bank-qa'),
  NEURODESK_KB_SEED: z.string().min(1).default('training/data/bank-kb/answers.jsonl'),
  NEURODESK_KB_SYNC_INTERVAL: duration('30s'),
  NEURODESK_KB_IMPORT_LIMIT: size('10mb'),
  NEURODESK_NETS_CACHE_MB: int(256, 1, 1_000_000),
  NEURODESK_NETS_POLL: duration('2s'),
  NEURODESK_NET_WORKERS: int(1, 0, 64),
  NEURODESK_BATCH_MAX_SIZE: int(32, 1, 4096),
  NEURODESK_BATCH_MAX_WAIT: duration('2ms'),
});

/** The validated configuration, in the shape the rest of the service uses. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  apiKeys: string[];
  bodyLimitBytes: number;
  dbBusyTimeoutMs: number;
  /** PostgreSQL instead of SQLite when `url` is set; several instances may share it. */
  database: {
    url?: string;
    poolSize: number;
    statementTimeoutMs: number;
    /** How long a claimed job or outbox item stays this instance's before another may take it. */
    claimLeaseMs: number;
  };
  shutdownTimeoutMs: number;
  botsDir: string;
  /** Where platforms reach this gateway (for registering webhooks on a platform); optional. */
  publicUrl?: string;
  /** Each platform's API base URL (self-hosted instances; local stand-ins in tests). */
  platformUrls: Record<string, string>;
  outboundTimeoutMs: number;
  outboxMaxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  jobMaxAttempts: number;
  workerPollMs: number;
  webhookToleranceMs: number;
  rateLimitPerMinute: number;
  rateLimitBurst: number;
  chatMaxPayloadBytes: number;
  wsHeartbeatMs: number;
  console: {
    /** `login:scrypt$...` entries; see `npm run operators -- hash`. */
    operators: string[];
    sessionTtlMs: number;
    secureCookie: boolean;
    /** Origins besides the console's own allowed to open its websocket. */
    allowedOrigins: string[];
  };
  shop: {
    /** Load the demo shop into an empty database at start (`auto`: in development only). */
    demo: boolean;
    demoDir: string;
    /** How often the models are rebuilt when events or products changed. */
    rebuildIntervalMs: number;
  };
  /** The demo shop page at `/demo` with the chat widget (`auto`: development only), and its bot. */
  demoPage: { enabled: boolean; bot: string };
  /** TF.js backend to force, or `auto` for the best that loads. */
  tfBackend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** Folder of trained nets (`<name>/<version>/`, `<name>/CURRENT`). */
  netsDir: string;
  /** The classifier loaded at start and served by `POST /api/v1/classify`. */
  classifierNet: string;
  retrain: {
    /** Cron expression of the in-process retraining schedule, or null for none. */
    schedule: string | null;
    /** Share of operator-labelled texts held out to compare versions on. */
    heldOutFraction: number;
    /**
     * The promotion gate (see training/retrain/gate.ts): the confidence of its paired tests, and
     * the optional hard floors in points (null: off).
     */
    gate: {
      confidence: number;
      macroF1Tolerance: number | null;
      maxCategoryDrop: number | null;
      minCategorySupport: number;
    };
  };
  kb: {
    /** The two-tower net served by `POST /api/v1/suggest`. */
    qaNet: string;
    /** Answers loaded into an empty `default` knowledge base at start; null for none (`off`). */
    seedFile: string | null;
    /** How often the answer vectors are checked against changes made by other processes. */
    syncIntervalMs: number;
    /** Largest body of `POST /api/v1/answers/import`. */
    importLimitBytes: number;
  };
  /** The nets runtime: cache, hot reload, inference threads, micro-batching. */
  nets: {
    /** Memory bound of each inference thread's cache of loaded versions, in bytes. */
    cacheBytes: number;
    /** How often CURRENT is read besides the file watch (0: the watch only). */
    pollMs: number;
    /** Inference threads besides the HTTP thread (0: inference runs in the HTTP thread). */
    workers: number;
    /** Most texts per batch (1: no micro-batching). */
    batchMaxSize: number;
    /** Longest a text waits for batchmates. */
    batchMaxWaitMs: number;
  };
}

/** A configuration that failed validation; `problems` names each bad key. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Validates an environment (already merged with any `.env` file) into a {@link Config}. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    // An empty value means "not set", as in most twelve-factor tooling.
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const c = parsed.data;
  const config: Config = {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    logLevel: c.LOG_LEVEL,
    dataDir: c.NEURODESK_DATA_DIR,
    apiKeys: c.NEURODESK_API_KEYS,
    bodyLimitBytes: c.NEURODESK_BODY_LIMIT,
    dbBusyTimeoutMs: c.NEURODESK_DB_BUSY_TIMEOUT,
    database: {
      url: c.NEURODESK_DATABASE_URL,
      poolSize: c.NEURODESK_DB_POOL_SIZE,
      statementTimeoutMs: c.NEURODESK_DB_STATEMENT_TIMEOUT_MS,
      claimLeaseMs: c.NEURODESK_CLAIM_LEASE,
    },
    shutdownTimeoutMs: c.NEURODESK_SHUTDOWN_TIMEOUT,
    botsDir: c.NEURODESK_BOTS_DIR,
    publicUrl: c.NEURODESK_PUBLIC_URL,
    platformUrls: Object.fromEntries(
      CHANNEL_API_URLS.map((u) => [u.key, (c as Record<string, unknown>)[u.env] as string]),
    ),
    outboundTimeoutMs: c.NEURODESK_OUTBOUND_TIMEOUT,
    outboxMaxAttempts: c.NEURODESK_OUTBOX_MAX_ATTEMPTS,
    retryBaseMs: c.NEURODESK_RETRY_BASE,
    retryMaxMs: c.NEURODESK_RETRY_MAX,
    jobMaxAttempts: c.NEURODESK_JOB_MAX_ATTEMPTS,
    workerPollMs: c.NEURODESK_WORKER_POLL,
    webhookToleranceMs: c.NEURODESK_WEBHOOK_TOLERANCE,
    rateLimitPerMinute: c.NEURODESK_RATE_LIMIT,
    rateLimitBurst: c.NEURODESK_RATE_LIMIT_BURST,
    chatMaxPayloadBytes: c.NEURODESK_CHAT_MAX_PAYLOAD,
    wsHeartbeatMs: c.NEURODESK_WS_HEARTBEAT,
    console: {
      operators: c.NEURODESK_CONSOLE_OPERATORS,
      sessionTtlMs: c.NEURODESK_CONSOLE_SESSION_TTL,
      secureCookie: c.NEURODESK_CONSOLE_SECURE_COOKIE === 'true',
      allowedOrigins: c.NEURODESK_CONSOLE_ORIGINS,
    },
    shop: {
      demo:
        c.NEURODESK_SHOP_DEMO === 'on' || (c.NEURODESK_SHOP_DEMO === 'auto' && c.NODE_ENV === 'development'),
      demoDir: c.NEURODESK_SHOP_DEMO_DIR,
      rebuildIntervalMs: c.NEURODESK_SHOP_REBUILD_INTERVAL,
    },
    demoPage: {
      enabled:
        c.NEURODESK_DEMO_PAGE === 'on' || (c.NEURODESK_DEMO_PAGE === 'auto' && c.NODE_ENV === 'development'),
      bot: c.NEURODESK_DEMO_BOT,
    },
    tfBackend: c.NEURODESK_TF_BACKEND,
    netsDir: c.NEURODESK_NETS_DIR,
    classifierNet: c.NEURODESK_CLASSIFIER_NET,
    retrain: {
      schedule: c.NEURODESK_RETRAIN_SCHEDULE,
      heldOutFraction: c.NEURODESK_RETRAIN_HELD_OUT,
      gate: {
        confidence: c.NEURODESK_RETRAIN_CONFIDENCE,
        macroF1Tolerance: c.NEURODESK_RETRAIN_F1_TOLERANCE,
        maxCategoryDrop: c.NEURODESK_RETRAIN_MAX_CATEGORY_DROP,
        minCategorySupport: c.NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT,
      },
    },
    kb: {
      qaNet: c.NEURODESK_QA_NET,
      seedFile: c.NEURODESK_KB_SEED === 'off' ? null : c.NEURODESK_KB_SEED,
      syncIntervalMs: c.NEURODESK_KB_SYNC_INTERVAL,
      importLimitBytes: c.NEURODESK_KB_IMPORT_LIMIT,
    },
    nets: {
      cacheBytes: c.NEURODESK_NETS_CACHE_MB * 1024 ** 2,
      pollMs: c.NEURODESK_NETS_POLL,
      workers: c.NEURODESK_NET_WORKERS,
      batchMaxSize: c.NEURODESK_BATCH_MAX_SIZE,
      batchMaxWaitMs: c.NEURODESK_BATCH_MAX_WAIT,
    },
  };
  if (config.env === 'production' && config.apiKeys.length === 0) {
    throw new ConfigError(['NEURODESK_API_KEYS: required when NODE_ENV=production (comma-separated keys)']);
  }
  // A platform call still running when its lease passes could be sent again by another instance.
  if (config.database.url && config.database.claimLeaseMs <= config.outboundTimeoutMs) {
    throw new ConfigError([
      `NEURODESK_CLAIM_LEASE: must be longer than NEURODESK_OUTBOUND_TIMEOUT (${config.outboundTimeoutMs} ms), or a reply still being sent may be sent again by another instance`,
    ]);
  }
  return config;
}

/**
 * Reads a `.env` file if there is one. Keys already in the process environment win, so
 * a deployment can override the file without editing it.
 */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  return parseEnv(text) as Record<string, string>;
}
