/**
 * The chat widget feature: `/widget.js` (and `/widget.css`), which a shop puts on its pages
 * with one tag, and the demo shop at `/demo` that shows it working (development only,
 * unless `NEURODESK_DEMO_PAGE=on`). The widget talks to `/ws/chat`; nothing here touches
 * the chat protocol.
 */
import type { Request, Response } from 'express';
import type { RouteMount } from '../app.js';
import type { Logger } from '../logger.js';
import type { ShopView } from '../shop/recommender.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import {
  type DemoLang,
  listPage,
  notFoundPage,
  type PageContext,
  productImage,
  productPage,
} from './demo-pages.js';
import { type Asset, loadDemoStylesheet, loadWidgetAssets } from './widget-asset.js';

/** What the widget feature needs. */
export interface WidgetOptions {
  demo: { enabled: boolean; bot: string };
  /** The shop's catalogue and models, once built. */
  shopView: () => ShopView | undefined;
  /** Whether a bot with this name has its chat channel on (the demo's widget needs one). */
  hasChat: (bot: string) => boolean;
  logger: Logger;
}

// A strict page policy: the demo pages must work under it, and so must the widget on them.
const DEMO_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Sends an asset, gzipped when the client accepts it, revalidated by its ETag. */
function sendAsset(req: Request, res: Response, a: Asset, cache: string): void {
  res.setHeader('Content-Type', a.type);
  res.setHeader('Cache-Control', cache);
  res.setHeader('ETag', a.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  // Shops load it from their own pages: another origin (helmet's default would block that).
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.headers['if-none-match'] === a.etag) {
    res.status(304).end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.send(gzip ? a.gzip : a.body);
}

/**
 * Builds the widget's routes (and the demo shop's, when enabled). A feature of the gateway
 * with routes only: no websocket of its own (it uses the chat's), nothing to start or close.
 */
export function createWidget(o: WidgetOptions): { mounts: RouteMount[] } {
  const { script, stylesheet } = loadWidgetAssets();
  const demoCss = o.demo.enabled ? loadDemoStylesheet() : undefined;
  if (o.demo.enabled && !o.hasChat(o.demo.bot)) {
    o.logger.warn(
      { bot: o.demo.bot },
      'the demo page names a bot without a chat channel: its widget will not connect',
    );
  }
  // Short caching: a new version reaches shops' pages within minutes.
  const CACHE = 'public, max-age=300';

  const mount: RouteMount = ({ app }) => {
    app
      .route('/widget.js')
      .get((req, res) => sendAsset(req, res, script, CACHE))
      .all(methodNotAllowed(['GET']));
    app
      .route('/widget.css')
      .get((req, res) => sendAsset(req, res, stylesheet, CACHE))
      .all(methodNotAllowed(['GET']));
    if (!o.demo.enabled || !demoCss) return;

    const context = (req: Request, path: string): PageContext => ({
      lang: (req.query.lang === 'ru' ? 'ru' : 'en') satisfies DemoLang,
      bot: o.demo.bot,
      path,
    });
    const html = (res: Response, status: number, body: string) => {
      res.status(status);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Security-Policy', DEMO_CSP);
      res.setHeader('Cache-Control', 'no-cache');
      res.send(body);
    };
    app.get('/demo', (req, res) => {
      const category = typeof req.query.category === 'string' ? req.query.category : undefined;
      html(res, 200, listPage(context(req, '/demo'), o.shopView(), category));
    });
    app.get('/demo/shop.css', (req, res) => sendAsset(req, res, demoCss, 'no-cache'));
    app.get('/demo/products/:id', (req, res) => {
      const c = context(req, `/demo/products/${encodeURIComponent(req.params.id)}`);
      const body = productPage(c, o.shopView(), req.params.id);
      html(res, body === null ? 404 : 200, body ?? notFoundPage(c));
    });
    app.get('/demo/products/:id/image.svg', (req, res) => {
      const p = o.shopView()?.products.get(req.params.id);
      if (!p) {
        res.status(404).end();
        return;
      }
      res.setHeader('Content-Type', 'image/svg+xml');
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      res.send(productImage(p));
    });
  };
  return { mounts: [mount] };
}
