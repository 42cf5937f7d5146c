import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../../src/app.js';
import type { ConsoleService } from '../../../src/console/hub.js';
import { type ConsoleFeature, createConsole } from '../../../src/console/index.js';
import { hashPassword } from '../../../src/console/passwords.js';
import type { ConsoleEvent, QueueItem } from '../../../src/console/protocol.js';
import { systemClock } from '../../../src/core/ports.js';
import { createLogger } from '../../../src/logger.js';
import { createMetrics } from '../../../src/metrics.js';
import { SqliteOperators } from '../../../src/store/repositories/operators.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import { attachUpgrades } from '../../../src/transport/ws/upgrade-router.js';
import { tempDir } from '../../helpers/config.js';
import { json } from '../../helpers/http.js';

const item = (id: number): QueueItem => ({
  conversationId: id,
  bot: 'bank-support',
  channel: 'telegram',
  customer: { id: String(id), name: `Customer ${id}` },
  firstLine: 'my card has not arrived',
  lastLine: 'my card has not arrived',
  category: 'card_arrival',
  confidence: 0.4,
  status: 'queued',
  queue: 'cards',
  assignedTo: null,
  waitingSince: 1,
  language: 'en',
  sensitive: false,
  slaDueAt: null,
});

/** A console service whose events the test emits by hand. */
function manualService() {
  const listeners = new Set<(e: ConsoleEvent) => void>();
  const queue = new Map<number, QueueItem>();
  const service: ConsoleService = {
    queue: async () => [...queue.values()],
    handle: async (_op, req) => ({ handled: req.type }),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const emit = (id: number) => {
    queue.set(id, item(id));
    for (const l of listeners) l({ kind: 'queue.upsert', item: item(id) });
  };
  return { service, emit };
}

let server: Server | undefined;
let feature: ConsoleFeature | undefined;
afterEach(async () => {
  feature?.close();
  await new Promise((r) => server?.close(r));
  server?.closeAllConnections();
});

async function start(hub: { maxBufferedBytes?: number } = {}) {
  const { service, emit } = manualService();
  const db = openDatabase(join(tempDir(), 'console.db'));
  feature = await createConsole({
    operatorStore: new SqliteOperators(db, systemClock),
    clock: systemClock,
    logger: createLogger('silent'),
    service,
    operators: [`ann:${await hashPassword('correct horse')}`],
    sessionTtlMs: 60_000,
    secureCookie: false,
    allowedOrigins: [],
    allowGeneratedAdmin: false,
    hub,
  });
  const app = createApp({
    logger: createLogger('silent'),
    metrics: createMetrics({ defaultMetrics: false }),
    apiKeys: ['k'],
    readiness: [],
    isClosing: () => false,
    mounts: [feature.mount],
  });
  server = createServer(app);
  attachUpgrades(server, { '/ws/console': feature.upgrade }, () => false);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, emit };
}

async function signIn(base: string, password = 'correct horse') {
  const res = await fetch(`http://${base}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'ann', password }),
  });
  return { res, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

/** Opens a console socket and collects its frames. */
function connect(base: string, cookie?: string) {
  const ws = new WebSocket(`ws://${base}/ws/console`, { headers: cookie ? { cookie } : {} });
  // biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field.
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const waitFor = async (pred: (f: any[]) => boolean, ms = 3000) => {
    const until = Date.now() + ms;
    while (!pred(frames)) {
      if (Date.now() > until) throw new Error(`timed out; frames: ${JSON.stringify(frames).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { ws, frames, opened, waitFor };
}

describe('console sign-in', () => {
  it('refuses a wrong password and sets an HttpOnly cookie for the right one', async () => {
    const { base } = await start();
    const wrong = await signIn(base, 'nope');
    expect(wrong.res.status).toBe(401);
    expect(wrong.cookie).toBeUndefined();
    const right = await signIn(base);
    expect(right.res.status).toBe(200);
    expect(right.res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const me = await fetch(`http://${base}/console/api/session`, { headers: { cookie: right.cookie! } });
    expect((await json(me)).operator.login).toBe('ann');
  });
});

describe('console websocket protocol', () => {
  it('refuses an upgrade without a session with 401', async () => {
    const { base } = await start();
    const c = connect(base);
    const status = await c.opened.then(
      () => 101,
      (err: Error) => Number(/Unexpected server response: (\d+)/.exec(err.message)?.[1]),
    );
    expect(status).toBe(401);
  });

  it('refuses an upgrade from a foreign origin with 403', async () => {
    const { base } = await start();
    const { cookie } = await signIn(base);
    const ws = new WebSocket(`ws://${base}/ws/console`, {
      headers: { cookie: cookie!, origin: 'https://evil.example' },
    });
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(err.message).toMatch(/403/);
  });

  it('sends a snapshot on hello and events as they happen', async () => {
    const { base, emit } = await start();
    emit(1);
    const { cookie } = await signIn(base);
    const c = connect(base, cookie);
    await c.opened;
    c.ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
    await c.waitFor((f) => f.some((x) => x.type === 'ack' && x.id === 'h'));
    expect(c.frames.find((f) => f.type === 'snapshot').queue).toHaveLength(1);
    emit(2);
    await c.waitFor((f) => f.some((x) => x.type === 'event'));
    expect(c.frames.at(-1)).toMatchObject({
      type: 'event',
      seq: 2,
      event: { kind: 'queue.upsert', item: { conversationId: 2 } },
    });
    c.ws.close();
  });

  it('answers a malformed request with an error frame and keeps the connection', async () => {
    const { base } = await start();
    const { cookie } = await signIn(base);
    const c = connect(base, cookie);
    await c.opened;
    c.ws.send('{not json');
    c.ws.send(JSON.stringify({ v: 1, id: 'x', type: 'take' }));
    c.ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
    await c.waitFor((f) => f.some((x) => x.type === 'ack' && x.id === 'h'));
    const errors = c.frames.filter((f) => f.type === 'error');
    expect(errors.map((e) => e.code)).toEqual(['invalid_json', 'validation_failed']);
    expect(errors[1].message).toBe('The conversation id is missing.');
    expect(errors[1].details).toMatchObject({ field: 'conversationId', rule: 'missing' });
    c.ws.close();
  });

  it('closes with 1009 on a frame over 64 KiB', async () => {
    const { base } = await start();
    const { cookie } = await signIn(base);
    const c = connect(base, cookie);
    await c.opened;
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(65 * 1024));
    expect(await closed).toBe(1009);
  });

  it('resumes after a reconnect with exactly the events it missed', async () => {
    const { base, emit } = await start();
    const { cookie } = await signIn(base);
    const first = connect(base, cookie);
    await first.opened;
    first.ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
    await first.waitFor((f) => f.some((x) => x.type === 'ack'));
    emit(1);
    await first.waitFor((f) => f.some((x) => x.type === 'event'));
    const epoch = first.frames.find((f) => f.type === 'welcome').epoch;
    const lastSeq = first.frames.filter((f) => f.type === 'event').at(-1).seq;
    first.ws.terminate();

    emit(2);
    emit(3);
    const second = connect(base, cookie);
    await second.opened;
    second.ws.send(JSON.stringify({ v: 1, id: 'h2', type: 'hello', resume: { epoch, seq: lastSeq } }));
    await second.waitFor((f) => f.some((x) => x.type === 'ack' && x.id === 'h2'));
    const replayed = second.frames.filter((f) => f.type === 'event').map((f) => f.event.item.conversationId);
    expect(replayed).toEqual([2, 3]);
    expect(second.frames.some((f) => f.type === 'snapshot')).toBe(false);
    expect(second.frames.find((f) => f.type === 'ack').result).toEqual({ resumed: true });
    second.ws.close();
  });

  it('sends a fresh snapshot when a peer instance died, and a resume from before it gets a snapshot too', async () => {
    const { base, emit } = await start();
    const { cookie } = await signIn(base);
    const first = connect(base, cookie);
    await first.opened;
    first.ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
    await first.waitFor((f) => f.some((x) => x.type === 'ack'));
    emit(1);
    await first.waitFor((f) => f.some((x) => x.type === 'event'));
    const epoch = first.frames.find((f) => f.type === 'welcome').epoch;
    const lastSeq = first.frames.filter((f) => f.type === 'event').at(-1).seq;
    feature!.hub.resync();
    await first.waitFor((f) => f.filter((x) => x.type === 'snapshot').length === 2);
    expect(first.frames.at(-1).queue.map((q: QueueItem) => q.conversationId)).toEqual([1]);
    first.ws.terminate();

    const second = connect(base, cookie);
    await second.opened;
    second.ws.send(JSON.stringify({ v: 1, id: 'h2', type: 'hello', resume: { epoch, seq: lastSeq } }));
    await second.waitFor((f) => f.some((x) => x.type === 'ack' && x.id === 'h2'));
    expect(second.frames.find((f) => f.type === 'welcome').epoch).not.toBe(epoch);
    expect(second.frames.some((f) => f.type === 'snapshot')).toBe(true);
    expect(second.frames.find((f) => f.type === 'ack').result).toEqual({ resumed: false });
    second.ws.close();
  });

  it('drops a client that stops reading and keeps serving the others', async () => {
    const { base, emit } = await start({ maxBufferedBytes: 256 * 1024 });
    const { cookie } = await signIn(base);
    const slow = connect(base, cookie);
    const fast = connect(base, cookie);
    await Promise.all([slow.opened, fast.opened]);
    slow.ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
    fast.ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello' }));
    await slow.waitFor((f) => f.some((x) => x.type === 'ack'));
    await fast.waitFor((f) => f.some((x) => x.type === 'ack'));
    // Stop reading: the socket's receive side is paused, so the server's buffer grows.
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const slowClosed = new Promise<void>((resolve) => slow.ws.once('close', () => resolve()));
    for (let i = 0; i < 20_000 && feature!.hub.size > 1; i++) {
      emit(100 + (i % 50));
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(feature!.hub.size).toBe(1);
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    await slowClosed;
    const before = fast.frames.length;
    emit(7);
    await fast.waitFor((f) => f.length > before && f.at(-1).event?.item?.conversationId === 7, 10_000);
    fast.ws.close();
  });
});
