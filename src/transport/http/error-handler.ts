import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, toEnvelope } from '../../errors.js';
import { isBusyError } from '../../store/index.js';

/** Answers 404 in the error envelope for any path no route claimed. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
};

/** Answers 405 with an `Allow` header; mount it with `.all()` after a path's real methods. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  const allow = [...new Set(allowed.map((m) => m.toUpperCase()))].join(', ');
  return (req, _res, next) => {
    next(
      new AppError('method_not_allowed', `${req.method} is not allowed here; use ${allow}`, {
        headers: { Allow: allow },
      }),
    );
  };
}

/**
 * Turns any error into the envelope `{"error":{"code","message"}}`. Known errors keep
 * their code and status; SQLite's lock held too long is a 503 the platform retries (a
 * webhook is acknowledged only once stored, so nothing is lost); anything else is a plain
 * 500 whose details go to the log only.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let appErr: AppError;
  if (isBusyError(err)) {
    req.log?.warn({ code: (err as { code?: string }).code }, 'database busy: asked the client to retry');
    appErr = new AppError('store_busy', 'the service is busy; retry shortly', {
      headers: { 'Retry-After': '1' },
    });
  } else if (err instanceof AppError) {
    appErr = err;
    if (appErr.status >= 500) req.log?.error({ err, code: appErr.code }, 'request failed');
  } else {
    req.log?.error({ err }, 'unhandled error');
    appErr = new AppError('internal', 'internal error');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(appErr.headers)) res.setHeader(name, value);
  res.status(appErr.status).json(toEnvelope(appErr));
};
