const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Earliest accepted time (2000-01-01): smaller numbers are almost surely seconds, not milliseconds. */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);
/** How far ahead of the clock an event may be (clock skew between the shop and us). */
export const FUTURE_SLACK_MS = 86_400_000;

/**
 * Reads an event time: milliseconds since the epoch, or ISO 8601 (`2024-05-01T10:00:00Z`,
 * `2024-05-01 10:00`). A time without a zone is UTC. Returns the time or a reason.
 */
export function parseTimestamp(value: unknown, now: number): { ms: number } | { error: string } {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) ms = Number(value.trim());
  else if (typeof value === 'string') {
    const m = ISO_RE.exec(value.trim());
    if (!m)
      return { error: `expected ISO 8601 or milliseconds since the epoch, got "${value.slice(0, 40)}"` };
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
    ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, +frac.padEnd(3, '0'));
    const check = new Date(ms);
    if (check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +s > 59) {
      return { error: `not a valid date: "${value}"` };
    }
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
  } else return { error: 'expected ISO 8601 or milliseconds since the epoch' };
  if (!Number.isSafeInteger(ms)) return { error: 'expected whole milliseconds since the epoch' };
  if (ms < EARLIEST_MS) return { error: 'is before 2000-01-01: milliseconds (not seconds) since the epoch?' };
  if (ms > now + FUTURE_SLACK_MS) return { error: 'is more than a day in the future' };
  return { ms };
}
