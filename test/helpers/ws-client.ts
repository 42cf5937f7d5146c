import WebSocket, { type ClientOptions } from 'ws';

/** A frame the chat server sent. */
// biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary frames.
export type Frame = any;

/** A websocket client that queues incoming JSON frames for the test to take in order. */
export class ChatClient {
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<(f: Frame) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, options: ClientOptions = {}): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new ChatClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
              status: res.statusCode,
              body,
              headers: res.headers,
            }),
          ),
        );
      });
      ws.once('error', reject);
    });
  }

  /** The next frame (waits up to `timeoutMs`; generous, so a loaded CI machine does not fail a frame that is only late). */
  next(timeoutMs = 10_000): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame in time')), timeoutMs);
      this.waiters.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  /** Sends a JSON frame. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Closes and waits for the close. */
  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}
