import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: credentials and the customers' own words.
 * Handlers log ids and sizes, not content. Each channel adds its platform's secret headers
 * (signatures, secret tokens) through {@link createLogger}'s `secretHeaders`.
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
  'headers["x-api-key"]',
];

/** Creates the service's structured logger. `destination` lets tests capture the lines. */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  secretHeaders: readonly string[] = [],
): Logger {
  const paths = [...REDACTED_PATHS, ...secretHeaders.map((h) => `headers["${h.toLowerCase()}"]`)];
  return pino(
    {
      level,
      base: { service: 'neurodesk' },
      redact: { paths, censor: '[redacted]' },
      // `message` is redacted above; pino's own text goes under `msg`.
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
