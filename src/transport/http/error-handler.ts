import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, toEnvelope } from '../../errors.js';

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
 * their code and status; anything else is a plain 500 whose details go to the log only.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let appErr: AppError;
  if (err instanceof AppError) {
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
