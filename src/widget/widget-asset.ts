import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Largest the widget script may weigh gzipped: a shop's page should not pay more for a chat. */
export const WIDGET_GZIP_BUDGET_BYTES = 25 * 1024;

/** One file the gateway serves as is: its bytes, their gzip, and a validator. */
export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

function asset(type: string, text: string): Asset {
  const body = Buffer.from(text, 'utf8');
  const gzip = gzipSync(body, { level: 9 });
  return { type, body, gzip, etag: `"${body.length.toString(36)}-${hash(text)}"` };
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/**
 * The widget as served: `widget.js` with its stylesheet inlined (it adopts it as a constructed
 * stylesheet, which a strict `style-src` allows), and `widget.css` for browsers without
 * constructed stylesheets, which link it instead.
 */
export function loadWidgetAssets(dir = PUBLIC_DIR): { script: Asset; stylesheet: Asset } {
  const css = readFileSync(`${dir}widget.css`, 'utf8');
  const js = readFileSync(`${dir}widget.js`, 'utf8');
  const minCss = css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}:;,>])\s*/g, '$1')
    .trim();
  return {
    script: asset('text/javascript; charset=utf-8', js.replace("'__WIDGET_CSS__'", JSON.stringify(minCss))),
    stylesheet: asset('text/css; charset=utf-8', css),
  };
}

/** The demo shop's stylesheet. */
export function loadDemoStylesheet(dir = PUBLIC_DIR): Asset {
  return asset('text/css; charset=utf-8', readFileSync(`${dir}demo.css`, 'utf8'));
}
