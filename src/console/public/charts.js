// @ts-check
/** Small SVG charts: horizontal bars, stacked bars and lines, readable at a glance. */

const NS = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function el(tag, attrs, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Adds a tooltip (an SVG `<title>`) with the full text. @param {SVGElement} node @param {string} text */
function labelled(node, text) {
  node.append(el('title', {}, text));
  return node;
}

/**
 * Horizontal bars, largest first, with the value at the end of each bar.
 * @param {Array<{label: string, value: number}>} rows
 * @param {{width?: number, barHeight?: number, color?: string, format?: (v: number) => string}} [opts]
 */
export function barChart(rows, opts = {}) {
  const width = opts.width ?? 520;
  const barHeight = opts.barHeight ?? 18;
  const labelWidth = 220;
  // About 6.2 px a character at 11 px: a longer label is cut with an ellipsis, its full text in a tooltip.
  const maxChars = Math.floor((labelWidth - 10) / 6.2);
  const clip = (/** @type {string} */ s) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
  const format = opts.format ?? String;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const svg = el('svg', { width, height: rows.length * (barHeight + 6) + 4, role: 'img', class: 'chart' });
  rows.forEach((r, i) => {
    const y = i * (barHeight + 6) + 2;
    const w = ((width - labelWidth - 50) * r.value) / max;
    svg.append(
      labelled(
        el(
          'text',
          { x: labelWidth - 6, y: y + barHeight * 0.75, 'text-anchor': 'end', class: 'chart-label' },
          clip(r.label),
        ),
        r.label,
      ),
      el('rect', {
        x: labelWidth,
        y,
        width: Math.max(1, w),
        height: barHeight,
        rx: 3,
        fill: opts.color ?? '#4f7cff',
      }),
      el('text', { x: labelWidth + w + 6, y: y + barHeight * 0.75, class: 'chart-value' }, format(r.value)),
    );
  });
  return svg;
}

/**
 * One bar split into coloured parts, with a legend.
 * @param {Array<{label: string, value: number, color: string}>} parts
 * @param {{width?: number}} [opts]
 */
export function stackedBar(parts, opts = {}) {
  const width = opts.width ?? 520;
  const total = parts.reduce((s, p) => s + p.value, 0) || 1;
  const svg = el('svg', { width, height: 58, role: 'img', class: 'chart' });
  let x = 0;
  for (const p of parts) {
    const w = (width * p.value) / total;
    svg.append(el('rect', { x, y: 0, width: w, height: 24, fill: p.color }));
    x += w;
  }
  let lx = 0;
  for (const p of parts) {
    svg.append(el('rect', { x: lx, y: 36, width: 12, height: 12, fill: p.color, rx: 2 }));
    const label = `${p.label} ${Math.round((100 * p.value) / total)}% (${p.value})`;
    svg.append(el('text', { x: lx + 16, y: 46, class: 'chart-label' }, label));
    lx += 16 + label.length * 7 + 16;
  }
  return svg;
}

/**
 * A line over days with dots, y from 0 to 1 shown as percent.
 * @param {Array<{label: string, value: number | null}>} points
 * @param {{width?: number, height?: number, color?: string}} [opts]
 */
export function lineChart(points, opts = {}) {
  const width = opts.width ?? 520;
  const height = opts.height ?? 160;
  const pad = { l: 40, r: 10, t: 10, b: 24 };
  const svg = el('svg', { width, height, role: 'img', class: 'chart' });
  const innerW = width - pad.l - pad.r;
  const innerH = height - pad.t - pad.b;
  for (const f of [0, 0.5, 1]) {
    const y = pad.t + innerH * (1 - f);
    svg.append(el('line', { x1: pad.l, x2: width - pad.r, y1: y, y2: y, class: 'chart-grid' }));
    svg.append(
      el('text', { x: pad.l - 6, y: y + 4, 'text-anchor': 'end', class: 'chart-label' }, `${f * 100}%`),
    );
  }
  const step = points.length > 1 ? innerW / (points.length - 1) : 0;
  /** @type {string[]} */
  const path = [];
  points.forEach((p, i) => {
    const x = pad.l + i * step;
    if (i % Math.ceil(points.length / 6) === 0) {
      svg.append(el('text', { x, y: height - 6, 'text-anchor': 'middle', class: 'chart-label' }, p.label));
    }
    if (p.value === null) return;
    const y = pad.t + innerH * (1 - p.value);
    path.push(`${path.length ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`);
    svg.append(el('circle', { cx: x, cy: y, r: 3, fill: opts.color ?? '#1f9d55' }));
  });
  if (path.length)
    svg.prepend(
      el('path', { d: path.join(' '), fill: 'none', stroke: opts.color ?? '#1f9d55', 'stroke-width': 2 }),
    );
  return svg;
}
