import type { Request, RequestHandler } from 'express';
import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import { jsonBody } from '../transport/http/body.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import type { ModelManager } from './model-manager.js';
import { boughtTogether, recommendForUser, type ShopView, similarItems, topItems } from './recommender.js';
import type { ShopService } from './service.js';

/** Largest `k` a request may ask for. */
export const MAX_K = 100;

function query(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new AppError('validation_failed', `${name}: give it once`);
  return v;
}

function kOf(req: Request): number {
  const raw = query(req, 'k');
  if (raw === undefined) return 10;
  const k = Number(raw);
  if (!/^\d+$/.test(raw) || k < 1 || k > MAX_K) {
    throw new AppError('validation_failed', `k: expected an integer from 1 to ${MAX_K}, got "${raw}"`);
  }
  return k;
}

/** What the shop routes need. */
export interface ShopRouteDeps {
  service: ShopService;
  manager: ModelManager;
  bodyLimitBytes: number;
}

/** Mounts `/api/v1/shop/...` (behind the API key, like every `/api` route). */
export function shopRoutes(deps: ShopRouteDeps): RouteMount {
  const { service, manager } = deps;
  const view = (): ShopView => {
    const v = service.view();
    if (!v) {
      throw new AppError('not_ready', 'the shop models are being built; try again shortly', {
        headers: { 'Retry-After': '1' },
      });
    }
    return v;
  };
  const get = (handler: (req: Request) => unknown): RequestHandler[] => [
    (req, res) => {
      res.json(handler(req));
    },
  ];
  const found = <T>(value: T | null, what: string, id: string): T => {
    if (value === null) throw new AppError('not_found', `unknown ${what} "${id}"`);
    return value;
  };

  return ({ api }) => {
    api
      .route('/shop/products')
      .post(jsonBody(deps.bodyLimitBytes), async (req, res) => {
        res.json(await service.upsertProducts(req.body));
      })
      .all(methodNotAllowed(['POST']));
    api
      .route('/shop/events')
      .post(jsonBody(deps.bodyLimitBytes), async (req, res) => {
        res.json(await service.appendEvents(req.body));
      })
      .all(methodNotAllowed(['POST']));
    api
      .route('/shop/users/:id/recommendations')
      .get(...get((req) => recommendForUser(view(), req.params.id as string, kOf(req))))
      .all(methodNotAllowed(['GET']));
    api
      .route('/shop/items/:id/similar')
      .get(
        ...get((req) =>
          found(similarItems(view(), req.params.id as string, kOf(req)), 'product', req.params.id as string),
        ),
      )
      .all(methodNotAllowed(['GET']));
    api
      .route('/shop/items/:id/bought-together')
      .get(
        ...get((req) =>
          found(
            boughtTogether(view(), req.params.id as string, kOf(req)),
            'product',
            req.params.id as string,
          ),
        ),
      )
      .all(methodNotAllowed(['GET']));
    api
      .route('/shop/top')
      .get(
        ...get((req) => {
          const by = query(req, 'by') ?? 'sellers';
          if (by !== 'sellers' && by !== 'trending') {
            throw new AppError('validation_failed', `by: expected "sellers" or "trending", got "${by}"`);
          }
          const category = query(req, 'category') || undefined;
          return found(topItems(view(), { k: kOf(req), category, by }), 'category', category ?? '');
        }),
      )
      .all(methodNotAllowed(['GET']));
    api
      .route('/shop/models')
      .get(...get(() => ({ ready: manager.current() !== undefined, ...manager.current()?.summary() })))
      .all(methodNotAllowed(['GET']));
    api
      .route('/shop/models/rebuild')
      .post(async (_req, res) => {
        const snapshot = await manager.rebuild();
        res.json({ ready: true, ...snapshot.summary() });
      })
      .all(methodNotAllowed(['POST']));
  };
}
