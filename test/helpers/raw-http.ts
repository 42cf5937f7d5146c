/**
 * HTTP spoken byte by byte over a plain TCP socket, for what fetch will not send: a lying
 * Content-Length, a body cut short, a request smuggled behind another, a websocket handshake
 * whose client then stops reading.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** One response read off the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Everything a raw exchange produced: the responses in order, and whether the server closed. */
export interface RawExchange {
  responses: RawResponse[];
  closedByServer: boolean;
}

/** Opens a TCP connection to the host and port of `baseUrl`. */
export function openSocket(baseUrl: string): Promise<Socket> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Parses as many complete HTTP/1.1 responses as `data` holds (Content-Length framed). */
export function parseResponses(data: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) return out;
    out.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: rest.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
    rest = rest.subarray(end + 4 + length);
  }
}

/**
 * Writes `parts` (with `gapMs` between them) and reads until the server closes or `timeoutMs`
 * passes; half-closes the sending side after the last part when `end` is set.
 */
export async function rawExchange(
  baseUrl: string,
  parts: Array<string | Buffer>,
  o: { timeoutMs?: number; gapMs?: number; end?: boolean } = {},
): Promise<RawExchange> {
  const socket = await openSocket(baseUrl);
  const chunks: Buffer[] = [];
  let closedByServer = false;
  const closed = new Promise<void>((resolve) => {
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => {
      closedByServer = true;
      resolve();
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  for (const [i, part] of parts.entries()) {
    if (i > 0 && o.gapMs) await new Promise((r) => setTimeout(r, o.gapMs));
    if (!socket.destroyed) socket.write(part);
  }
  if (o.end) socket.end();
  const timer = new Promise<void>((resolve) => setTimeout(resolve, o.timeoutMs ?? 3000));
  await Promise.race([closed, timer]);
  socket.destroy();
  return { responses: parseResponses(Buffer.concat(chunks)), closedByServer };
}

/** A websocket handshake on a raw socket; resolves with the socket once the server answered 101. */
export async function rawUpgrade(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Socket> {
  const socket = await openSocket(baseUrl);
  const u = new URL(baseUrl);
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${u.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const status = head.subarray(0, end).toString('latin1').split(' ')[1];
      if (status !== '101') reject(new Error(`upgrade refused: ${head.toString('latin1')}`));
      else {
        // Anything after the head is websocket data: give it back to the socket's reader.
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        resolve(socket);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** A masked client frame (RFC 6455 §5.2): `opcode` 1 text, 2 binary; `payload` sent as given. */
export function clientFrame(payload: Buffer, opcode = 1): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), bigLength(len)]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([head, mask, body]);
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}
