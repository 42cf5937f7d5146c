/** Escapes text for HTML and SVG (labels come from operators and must not become markup). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One line of a chart. */
export interface Series {
  name: string;
  colour: string;
  points: Array<[number, number]>;
}

const fmt = (x: number) =>
  Math.abs(x) >= 10 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toFixed(2);

/** A line chart (inline SVG) with axes, ticks, a legend and an optional marked x. */
export function lineChart(o: {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  markX?: { x: number; label: string };
  width?: number;
  height?: number;
}): string {
  const w = o.width ?? 460;
  const h = o.height ?? 240;
  const m = { l: 48, r: 12, t: 26, b: 36 };
  const all = o.series.flatMap((s) => s.points);
  if (all.length === 0) return `<p>${esc(o.title)}: no data</p>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (w - m.l - m.r);
  const sy = (y: number) => h - m.b - ((y - y0) / (y1 - y0)) * (h - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(o.title)}">`,
    `<text x="${w / 2}" y="16" text-anchor="middle" class="t">${esc(o.title)}</text>`,
    `<line x1="${m.l}" y1="${h - m.b}" x2="${w - m.r}" y2="${h - m.b}" class="ax"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${h - m.b}" class="ax"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    parts.push(
      `<line x1="${m.l}" y1="${sy(y).toFixed(1)}" x2="${w - m.r}" y2="${sy(y).toFixed(1)}" class="grid"/>`,
      `<text x="${m.l - 4}" y="${(sy(y) + 3).toFixed(1)}" text-anchor="end" class="tick">${fmt(y)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let x = Math.ceil(x0); x <= x1; x += step) {
    parts.push(
      `<text x="${sx(x).toFixed(1)}" y="${h - m.b + 14}" text-anchor="middle" class="tick">${x}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.l + w - m.r) / 2}" y="${h - 4}" text-anchor="middle" class="tick">${esc(o.xLabel)}</text>`,
    `<text x="12" y="${(m.t + h - m.b) / 2}" text-anchor="middle" class="tick" transform="rotate(-90 12 ${(m.t + h - m.b) / 2})">${esc(o.yLabel)}</text>`,
  );
  if (o.markX) {
    const x = sx(o.markX.x).toFixed(1);
    // The label goes on the side of the line that has room.
    const right = sx(o.markX.x) < w - m.r - 40;
    parts.push(
      `<line x1="${x}" y1="${m.t}" x2="${x}" y2="${h - m.b}" class="mark"/>`,
      `<text x="${x}" y="${m.t + 18}" class="tick" dx="${right ? 3 : -3}" text-anchor="${right ? 'start' : 'end'}">${esc(o.markX.label)}</text>`,
    );
  }
  o.series.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const [x, y] of s.points) {
      parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.colour}"/>`);
    }
    const lx = m.l + 8 + i * 130;
    parts.push(
      `<rect x="${lx}" y="${m.t + 2}" width="10" height="3" fill="${s.colour}"/>`,
      `<text x="${lx + 14}" y="${m.t + 7}" class="tick">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A confusion-matrix heat map (inline SVG): rows are actual labels, columns predicted, each
 * cell shaded by its share of the row; right answers in blue, errors in red. Only non-empty
 * cells are drawn, so 77 categories stay a few kilobytes.
 */
export function confusionHeatMap(o: { title: string; labels: string[]; confusion: number[][] }): string {
  const rows = o.labels
    .map((_, i) => i)
    .filter((i) => o.confusion[i]!.some((v) => v > 0) || o.confusion.some((r) => r[i]! > 0));
  const n = rows.length;
  if (n === 0) return `<p>${esc(o.title)}: no data</p>`;
  const cell = n > 40 ? 8 : n > 15 ? 14 : 24;
  const labelW = Math.min(220, 8 + Math.max(...rows.map((i) => o.labels[i]!.length)) * 6);
  const size = n * cell;
  const w = Math.max(labelW + size + 10, 8 + o.title.length * 7);
  const h = 24 + labelW + size + 10;
  const font = Math.min(11, cell - 1);
  const top = 24 + labelW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(o.title)}">`,
    `<text x="4" y="16" class="t">${esc(o.title)}</text>`,
    `<rect x="${labelW}" y="${top}" width="${size}" height="${size}" fill="#fafafa" stroke="#ccc"/>`,
  ];
  rows.forEach((r, ri) => {
    const y = top + ri * cell;
    parts.push(
      `<text x="${labelW - 3}" y="${y + cell / 2 + font / 3}" text-anchor="end" font-size="${font}">${esc(o.labels[r]!)}</text>`,
      `<text transform="translate(${labelW + ri * cell + cell / 2 + font / 3},${top - 3}) rotate(-90)" font-size="${font}">${esc(o.labels[r]!)}</text>`,
    );
    const total = o.confusion[r]!.reduce((a, v) => a + v, 0);
    rows.forEach((c, ci) => {
      const v = o.confusion[r]![c]!;
      if (v === 0 || total === 0) return;
      const share = v / total;
      const hue = r === c ? '33,102,172' : '202,0,32';
      parts.push(
        `<rect x="${labelW + ci * cell}" y="${y}" width="${cell}" height="${cell}" fill="rgba(${hue},${(0.15 + 0.85 * share).toFixed(3)})"><title>${esc(o.labels[r]!)} → ${esc(o.labels[c]!)}: ${v} of ${total} (${(share * 100).toFixed(1)} %)</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
