import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors.js';

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
  const status = ERROR_CATALOGUE[code];
  const body = JSON.stringify({ error: { code, message } });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
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
