/**
 * One catalogue of error codes with their HTTP statuses. Codes are stable: clients and
 * dashboards match on them, so a code is never renamed, only added.
 */
export const ERROR_CATALOGUE = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  net_rejected: 422,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  bad_gateway: 502,
  not_ready: 503,
  shutting_down: 503,
  store_busy: 503,
} as const;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Options for {@link AppError}: the underlying cause and extra response headers. */
export interface AppErrorOptions {
  cause?: unknown;
  headers?: Record<string, string>;
  details?: unknown;
}

/** The one error type of the service: a stable code, its HTTP status and an optional cause. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code];
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}

/** The JSON body every error response carries. */
export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Builds the error envelope for an {@link AppError}. */
export function toEnvelope(err: AppError): ErrorEnvelope {
  const body: ErrorEnvelope = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  return body;
}

/** True for an {@link AppError}. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
