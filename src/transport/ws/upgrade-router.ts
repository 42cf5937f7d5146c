import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { ErrorCode } from '../../errors.js';
import { endWithError } from '../http/raw-error.js';

/** Handles an HTTP upgrade for one path. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Refuses an upgrade with a plain HTTP response in the error envelope, before any
 * websocket exists (the browser sees the status; a script sees the body).
 */
export function refuseUpgrade(
  socket: Duplex,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  endWithError(socket, code, message, headers);
}

/**
 * Routes websocket upgrades by path (`/ws/chat`, later `/ws/console`); anything else is
 * refused with 404, and everything with 503 once shutdown began.
 */
export function attachUpgrades(
  server: Server,
  routes: Record<string, UpgradeHandler>,
  isClosing: () => boolean,
): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (isClosing())
      return refuseUpgrade(socket, 'shutting_down', 'the service is shutting down', { 'Retry-After': '5' });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = routes[path];
    if (!handler) return refuseUpgrade(socket, 'not_found', `no websocket at ${path}`);
    handler(req, socket, head);
  });
}

/**
 * Answers a malformed websocket handshake (wrong method, no `Upgrade: websocket`, a bad
 * `Sec-WebSocket-Key` or version) in the error envelope, as every other refusal, instead of
 * the ws library's plain-text page (RFC 6455 §4.2.2: 400, with the versions we speak).
 */
export function answerHandshakeErrors(wss: WebSocketServer): void {
  wss.on('wsClientError', (err: Error, socket: Duplex) => {
    if (err.message === 'Invalid HTTP method')
      return refuseUpgrade(socket, 'method_not_allowed', 'a websocket opens with GET', { Allow: 'GET' });
    const headers: Record<string, string> = /Sec-WebSocket-Version/.test(err.message)
      ? { 'Sec-WebSocket-Version': '13' }
      : {};
    refuseUpgrade(socket, 'bad_request', `not a websocket handshake: ${err.message}`, headers);
  });
}
