/**
 * Error responses written straight to a socket, for the moments before (or outside) express:
 * a request the HTTP parser could not read, a refused websocket upgrade. Same envelope as
 * every other error; the connection is closed after it.
 */
import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors.js';

/** A complete HTTP/1.1 response with the error envelope, ending with `Connection: close`. */
export function rawErrorResponse(
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): string {
  const status = ERROR_CATALOGUE[code];
  const body = JSON.stringify({ error: { code, message } });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Writes an error response to a raw socket and closes it. */
export function endWithError(
  socket: Duplex,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  socket.end(rawErrorResponse(code, message, headers));
}

/** The answer to a request Node's HTTP parser refused, by its error code. */
export function clientErrorOf(err: NodeJS.ErrnoException): { code: ErrorCode; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', message: 'request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'payload_too_large', message: 'chunk extensions are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', message: 'the request was not received in time' };
    default:
      return { code: 'bad_request', message: 'malformed HTTP request' };
  }
}

/**
 * Answers what the HTTP parser refuses (garbage, a body shorter or longer than its
 * Content-Length, Content-Length with Transfer-Encoding, oversized headers, a request too
 * slow to arrive) in the error envelope instead of Node's bare status line
 * (https://nodejs.org/api/http.html#event-clienterror). A connection already answering, or
 * gone, is just closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const response = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const { code, message } = clientErrorOf(err);
    endWithError(socket, code, message);
  });
}
