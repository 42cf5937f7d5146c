import type { Logger } from '../../logger.js';

declare global {
  namespace Express {
    interface Request {
      /** The request id, echoed in `X-Request-Id`. */
      id: string;
      /** A child logger carrying the request id. */
      log: Logger;
      /** The exact bytes of the body, kept for signature checks. */
      rawBody?: Buffer;
    }
  }
}
