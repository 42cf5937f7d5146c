import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.js';

/** One request a platform stand-in received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary platform JSON.
  body: any;
  /** The status the stand-in answered with. */
  status: number;
}

/** How the stand-in answers a request: a status and JSON body (default 200 `{ok:true}`). */
export type Responder = (req: ReceivedRequest) => {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/**
 * A platform's API on loopback (Telegram, Slack, Chatwoot, a Bitrix24 portal, a CRM's
 * callback): records every request and answers as told. `down()` makes it answer 503, as
 * an API in an outage does; `up()` brings it back.
 */
export class PlatformStandIn {
  readonly requests: ReceivedRequest[] = [];
  private isDown = false;
  private constructor(
    private server: Server,
    public url: string,
    private responder: Responder,
  ) {}

  /** Starts a stand-in on a free loopback port (or `port`, to come back where it was). */
  static async start(responder: Responder = () => ({}), port = 0): Promise<PlatformStandIn> {
    const standIn = new PlatformStandIn(createServer(), '', responder);
    await standIn.listen(port);
    return standIn;
  }

  private async listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://stand-in');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {}
        const rec: ReceivedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          status: 0,
        };
        const answer = this.isDown
          ? { status: 503, body: { ok: false, error: 'service_unavailable' } }
          : this.responder(rec);
        rec.status = answer.status ?? 200;
        this.requests.push(rec);
        res.writeHead(rec.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body ?? { ok: true }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Changes how it answers. */
  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Answers 503 to everything (an outage). */
  down(): void {
    this.isDown = true;
  }

  /** Answers normally again. */
  up(): void {
    this.isDown = false;
  }

  /** Stops listening (connections are refused) and starts again on the same port. */
  async restart(): Promise<void> {
    const port = Number(new URL(this.url).port);
    await this.close();
    await this.listen(port);
  }

  /** Requests answered with a 2xx. */
  accepted(pathEnds?: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.status < 300 && (!pathEnds || r.path.endsWith(pathEnds)));
  }

  /** Waits for a 2xx-answered request matching `match`. */
  waitForAccepted(
    match: (r: ReceivedRequest) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ReceivedRequest> {
    return waitFor(() => this.accepted().find(match), timeoutMs, 'a request at the stand-in');
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
