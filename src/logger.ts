import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: credentials, platform signatures and the
 * customers' own words. Handlers log ids and sizes, not content.
 */
export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'token',
  'secret',
  'password',
  'text',
  'message',
  'body',
  '*.authorization',
  '*.cookie',
  '*.token',
  '*.secret',
  '*.password',
  '*.text',
  '*.body',
  'headers["x-telegram-bot-api-secret-token"]',
  'headers["x-slack-signature"]',
  'headers["x-chatwoot-signature"]',
  'headers["x-api-key"]',
];

/** Creates the service's structured logger. `destination` lets tests capture the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'neurodesk' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // `message` is redacted above; pino's own text goes under `msg`.
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
