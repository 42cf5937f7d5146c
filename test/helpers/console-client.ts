import WebSocket from 'ws';
import { hashPassword } from '../../src/console/passwords.js';
import { waitFor } from './wait.js';

/** Operators for tests: login → password. */
export const OPERATORS = { ann: 'ann-password-1', bob: 'bob-password-2', cleo: 'cleo-password-3' } as const;

/** `NEURODESK_CONSOLE_OPERATORS` for {@link OPERATORS}. */
export async function operatorsConfig(): Promise<string> {
  const entries = await Promise.all(
    Object.entries(OPERATORS).map(async ([login, password]) => `${login}:${await hashPassword(password)}`),
  );
  return entries.join(',');
}

/** Signs in and returns the session cookie (`name=value`). */
export async function signIn(baseUrl: string, login: keyof typeof OPERATORS): Promise<string> {
  const res = await fetch(`${baseUrl}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: OPERATORS[login] }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** Takes an event frame as it arrives, with the wall-clock time (ms) it was received. */
// biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field.
export type EventHook = (frame: any, receivedAt: number) => void;

/** A console websocket client speaking protocol v1, collecting every frame. */
export class ConsoleClient {
  // biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field.
  readonly frames: any[] = [];
  private nextId = 1;

  private constructor(
    readonly ws: WebSocket,
    onEvent?: EventHook,
  ) {
    ws.on('message', (d) => {
      const frame = JSON.parse(String(d));
      // With a hook, events go to it only (a load test's thousands of them are not kept).
      if (onEvent && frame.type === 'event') onEvent(frame, performance.timeOrigin + performance.now());
      else this.frames.push(frame);
    });
  }

  /** Connects with a session cookie and says hello; `onEvent` takes every event frame instead of `frames`. */
  static async connect(baseUrl: string, cookie: string, onEvent?: EventHook): Promise<ConsoleClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws/console`, { headers: { cookie } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new ConsoleClient(ws, onEvent);
    await client.request({ type: 'hello' });
    return client;
  }

  /** Sends a request and resolves with its ack's result (rejects with the error frame's code). */
  // biome-ignore lint/suspicious/noExplicitAny: results are asserted field by field.
  async request(body: Record<string, unknown>): Promise<any> {
    const id = `t${this.nextId++}`;
    this.ws.send(JSON.stringify({ v: 1, id, ...body }));
    const reply = await waitFor(() =>
      this.frames.find((f) => (f.type === 'ack' || f.type === 'error') && f.id === id),
    );
    if (reply.type === 'error')
      throw Object.assign(new Error(reply.message), { code: reply.code, details: reply.details });
    return reply.result;
  }

  /** Waits for an event matching `pred` and returns it. */
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  event(pred: (event: any) => boolean, what = 'event'): Promise<any> {
    return waitFor(() => this.frames.find((f) => f.type === 'event' && pred(f.event))?.event, 5000, what);
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close();
  }
}
