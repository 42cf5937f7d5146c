// @ts-check
/** The queue: which conversations a view shows, in what order, and how a row looks. */

/**
 * @typedef {{conversationId: number, bot: string, channel: string, customer: {id: string|null, name: string|null},
 *   firstLine: string, lastLine: string, category: string|null, confidence: number|null, status: string,
 *   queue: string|null, assignedTo: string|null, waitingSince: number, language: string|null,
 *   sensitive: boolean, slaDueAt: number|null}} QueueItem
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Sensitive categories (the bot never answers them alone) first, then the nearest SLA
 * deadline, then the longest wait.
 * @param {QueueItem[]} items
 */
export function sortQueue(items) {
  const due = (/** @type {QueueItem} */ q) => q.slaDueAt ?? Number.POSITIVE_INFINITY;
  return [...items].sort(
    (a, b) => Number(b.sensitive) - Number(a.sensitive) || due(a) - due(b) || a.waitingSince - b.waitingSince,
  );
}

/**
 * The conversations a view shows: `mine`, `unassigned` or `all`, within a queue and a channel.
 * @param {QueueItem[]} items
 * @param {{view: string, queue: string, channel: string, me: string}} f
 */
export function filterQueue(items, f) {
  return items.filter(
    (q) =>
      (f.view === 'all' ||
        (f.view === 'mine' && q.assignedTo === f.me) ||
        (f.view === 'unassigned' && !q.assignedTo)) &&
      (!f.queue || q.queue === f.queue) &&
      (!f.channel || q.channel === f.channel),
  );
}

/**
 * How close a line is to its SLA: `ok`, `warn` (half the time gone), `risk` (four fifths gone) or `breached`.
 * @param {QueueItem} q
 * @param {number} now
 */
export function slaState(q, now) {
  if (q.slaDueAt === null) return 'ok';
  const total = q.slaDueAt - q.waitingSince;
  const gone = now - q.waitingSince;
  if (now >= q.slaDueAt) return 'breached';
  if (gone >= total * 0.8) return 'risk';
  if (gone >= total * 0.5) return 'warn';
  return 'ok';
}

/**
 * A confidence bar drawn with SVG geometry (attributes, not inline styles: the page's CSP
 * forbids those), so a 3 % bar is 3 % wide.
 * @param {number} pct 0..100
 * @param {string} title
 */
export function confidenceBar(pct, title) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'bar');
  svg.setAttribute('viewBox', '0 0 100 6');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  svg.setAttribute('data-testid', 'confidence-bar');
  const t = document.createElementNS(SVG, 'title');
  t.textContent = title;
  const track = document.createElementNS(SVG, 'rect');
  track.setAttribute('class', 'track');
  track.setAttribute('width', '100');
  track.setAttribute('height', '6');
  const fill = document.createElementNS(SVG, 'rect');
  fill.setAttribute('class', `fill ${pct < 50 ? 'low' : pct < 80 ? 'mid' : 'high'}`);
  fill.setAttribute('width', String(Math.max(0, Math.min(100, pct))));
  fill.setAttribute('height', '6');
  svg.append(t, track, fill);
  return svg;
}
