import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { requireApiKey } from './transport/http/api-key.js';
import { errorHandler, methodNotAllowed, notFound } from './transport/http/error-handler.js';
import { requestContext } from './transport/http/request-context.js';
import './transport/http/request-types.js';

/** One readiness condition: `ok` false makes `/readyz` answer 503 with `detail`. */
export interface ReadinessCheck {
  name: string;
  check(): { ok: boolean; detail?: unknown } | Promise<{ ok: boolean; detail?: unknown }>;
}

/** Mounts a feature's routes. `api` is `/api/v1`, behind the API key; `app` is the root. */
export type RouteMount = (routers: { app: Express; api: Router }) => void;

/** Everything the HTTP app needs, built by `main` (or a test). */
export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  apiKeys: readonly string[];
  readiness: readonly ReadinessCheck[];
  /** True once shutdown began: new requests get 503. */
  isClosing: () => boolean;
  /** Extra fields for `/readyz` (e.g. the TF.js backend). */
  readyInfo?: () => Record<string, unknown>;
  mounts?: readonly RouteMount[];
  /** Middleware that runs before the API key check (the per-source rate limit). */
  apiGuards?: readonly RequestHandler[];
}

/** Builds the express app without listening, so tests run it in-process on any port. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.use(requestContext(deps.logger, deps.metrics));
  app.use((_req, res, next) => {
    if (!deps.isClosing()) return next();
    res.setHeader('Connection', 'close');
    next(new AppError('shutting_down', 'the service is shutting down', { headers: { 'Retry-After': '5' } }));
  });
  app.use(helmet({ contentSecurityPolicy: false }));

  app
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed(['GET']));

  app
    .route('/readyz')
    .get(async (_req, res) => {
      const checks: Record<string, unknown> = {};
      let ready = true;
      for (const c of deps.readiness) {
        let result: { ok: boolean; detail?: unknown };
        try {
          result = await c.check();
        } catch (err) {
          result = { ok: false, detail: (err as Error).message };
        }
        ready &&= result.ok;
        checks[c.name] = result.ok ? 'ok' : (result.detail ?? 'not ready');
      }
      res
        .status(ready ? 200 : 503)
        .json({ status: ready ? 'ready' : 'not_ready', checks, ...deps.readyInfo?.() });
    })
    .all(methodNotAllowed(['GET']));

  app
    .route('/metrics')
    .get(async (_req, res) => {
      res.setHeader('Content-Type', deps.metrics.registry.contentType);
      res.send(await deps.metrics.registry.metrics());
    })
    .all(methodNotAllowed(['GET']));

  const api = express.Router();
  for (const guard of deps.apiGuards ?? []) api.use(guard);
  api.use(requireApiKey(deps.apiKeys));
  for (const mount of deps.mounts ?? []) mount({ app, api });
  app.use('/api/v1', api);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
