import { parseDuration } from '../../src/config.js';

/**
 * Reads `--since`: a date (`2026-11-01`), a time (`2026-11-01T08:00:00Z`) or a duration back
 * from now (`7d`, `12h`). Throws an Error that names the flag.
 */
export function parseSince(text: string, now: Date): Date {
  const ms = /^\d+(\.\d+)?\s*(s|m|h|d)$/i.test(text.trim()) ? parseDuration(text) : undefined;
  if (ms !== undefined) return new Date(now.getTime() - ms);
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new Error(`--since: expected a date (2026-11-01), a time or a duration (7d), got "${text}"`);
  }
  return new Date(at);
}
