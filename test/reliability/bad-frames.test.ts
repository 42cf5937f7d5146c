import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sqliteDatabaseOf } from '../../src/store/sqlite.js';
import { signIn } from '../helpers/console-client.js';
import { type TypedField, typeAccepted } from '../helpers/endpoints.js';
import { type BadInputGateway, startBadInputGateway, storedMarks } from '../helpers/refusals.js';
import { recordFigures, scaled } from '../helpers/reliability.js';
import { ChatClient, type Frame } from '../helpers/ws-client.js';

const RUNS = scaled(10_000, 300);
const SEED = 20261129;

let b: BadInputGateway;
let cookie: string;

beforeAll(async () => {
  b = await startBadInputGateway(16 * 1024);
  cookie = await signIn(b.gw.url, 'ann');
});
afterAll(async () => {
  await b?.close();
});

const wsUrl = (path: string) => `${b.gw.url.replace(/^http/, 'ws')}${path}`;
const marks = () => storedMarks(b.gw, b.replyConversation);
const inbound = () =>
  (
    sqliteDatabaseOf(b.gw.store)
      .prepare("SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'")
      .get() as { n: number }
  ).n;

/** A bad frame and what it must get: an error frame with a code, or the socket closed with a code. */
interface BadFrame {
  kind: string;
  data: string | Buffer;
  /** Sent as a text frame even when `data` is bytes (which may then not be UTF-8). */
  error?: string;
  close?: number;
}

const text = (kind: string, data: string, error: string): BadFrame => ({ kind, data, error });

/** A protocol's frame fields: the JSON types each accepts, whether it is required; whether other keys are refused. */
interface FrameShape {
  fields: Array<TypedField & { required: boolean }>;
  strict: boolean;
}

/** Bad frames for a JSON-over-websocket protocol whose valid frame is `valid(id)`. */
function badFrames(
  valid: (id: string) => Record<string, unknown>,
  shape: FrameShape,
  maxPayload: number,
): fc.Arbitrary<BadFrame> {
  const base = JSON.stringify(valid('bad'));
  const isJson = (s: string) => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  };
  const wrongType = fc
    .tuple(fc.constantFrom(...shape.fields), fc.jsonValue({ maxDepth: 2 }))
    .filter(([field, v]) => !typeAccepted(field, v))
    .map(([field, v]) =>
      text(
        'a field of the wrong type',
        JSON.stringify({ ...valid('bad'), [field.path[0]!]: v }),
        'validation_failed',
      ),
    );
  const missing = fc.constantFrom(...shape.fields.filter((f) => f.required)).map((field) => {
    const { [field.path[0]!]: _, ...rest } = valid('bad');
    return text('a required field missing', JSON.stringify(rest), 'validation_failed');
  });
  const extra = fc
    .tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }))
    .filter(([k]) => !(k in valid('bad')) && k !== '__proto__')
    .map(([k, v]) =>
      text('an unknown field', JSON.stringify({ ...valid('bad'), [k]: v }), 'validation_failed'),
    );
  const notObject = fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map((v) => text('not an object', JSON.stringify(v), 'validation_failed'));
  return fc.oneof(
    {
      arbitrary: fc
        .string({ unit: 'binary', minLength: 1, maxLength: 200 })
        .filter((s) => !isJson(s))
        .map((s) => text('not JSON', s, 'invalid_json')),
      weight: 3,
    },
    { arbitrary: wrongType.filter((f) => String(f.data).length < maxPayload), weight: 3 },
    { arbitrary: missing, weight: 1 },
    ...(shape.strict ? [{ arbitrary: extra, weight: 1 }] : []),
    { arbitrary: notObject, weight: 1 },
    {
      arbitrary: fc
        .integer({ min: 65, max: 600 })
        .map((d) => text('nested too deep', `${'['.repeat(d)}${']'.repeat(d)}`, 'invalid_json')),
      weight: 1,
    },
    {
      arbitrary: fc
        .jsonValue({ maxDepth: 1 })
        .map((v) =>
          text('__proto__ key', base.replace('{', `{"__proto__":${JSON.stringify(v)},`), 'invalid_json'),
        ),
      weight: 1,
    },
    {
      arbitrary: fc
        .integer({ min: 0xd800, max: 0xdfff })
        .map((u) =>
          text('lone surrogate', base.replace('"bad"', `"b\\u${u.toString(16)}d"`), 'invalid_json'),
        ),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf]).map(
        (bytes): BadFrame => ({
          kind: 'invalid UTF-8',
          data: Buffer.concat([
            Buffer.from(base.slice(0, 5)),
            Buffer.from(bytes),
            Buffer.from(base.slice(5)),
          ]),
          close: 1007,
        }),
      ),
      weight: 1,
    },
    {
      arbitrary: fc
        .integer({ min: maxPayload + 1, max: maxPayload * 2 })
        .map((size): BadFrame => ({ kind: 'over the size limit', data: 'x'.repeat(size), close: 1009 })),
      weight: 1,
    },
  );
}

/** A websocket that keeps every frame and says how it closed. */
async function open(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  /** Waits for the first frame (after `from`) matching `pred`. */
  const next = async (pred: (f: Frame) => boolean, from: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = frames.slice(from).find(pred);
      if (f) return f;
      if (Date.now() > deadline)
        throw new Error(`no matching frame; last: ${JSON.stringify(frames.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  return { ws, frames, closed, next };
}

/** Runs the generated bad frames against one websocket endpoint. */
async function generated(o: {
  name: string;
  connect(): Promise<Awaited<ReturnType<typeof open>>>;
  valid(id: string): Record<string, unknown>;
  shape: FrameShape;
  isAnswer(f: Frame, id: string): boolean;
  /** Whether a frame is the answer to a bad one (an error frame). */
  isError(f: Frame): boolean;
  maxPayload: number;
}) {
  let socket = await o.connect();
  let n = 0;
  const kinds: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(badFrames(o.valid, o.shape, o.maxPayload), async (bad) => {
      const before = marks();
      const stored = inbound();
      const from = socket.frames.length;
      socket.ws.send(bad.data, { binary: false });
      if (bad.close) {
        expect(await socket.closed).toBe(bad.close);
        socket = await o.connect();
      } else {
        const err = await socket.next(o.isError, from);
        expect(err.code).toBe(bad.error);
        expect(typeof err.message).toBe('string');
        expect(JSON.stringify(err)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
      }
      expect(marks()).toBe(before);
      expect(inbound()).toBe(stored);
      const id = `ok${n++}`;
      const at = socket.frames.length;
      socket.ws.send(JSON.stringify(o.valid(id)));
      await socket.next((f) => o.isAnswer(f, id), at);
      kinds[bad.kind] = (kinds[bad.kind] ?? 0) + 1;
    }),
    { numRuns: RUNS, seed: SEED + o.name.length, endOnFailure: true },
  );
  socket.ws.close();
  recordFigures(`bad-frames-generated-${o.name}`, {
    frames: RUNS,
    seed: SEED + o.name.length,
    ...Object.fromEntries(Object.entries(kinds).map(([k, v]) => [`kind: ${k}`, v])),
  });
}

describe('websocket upgrades without the right to open one', () => {
  it('are refused in the error envelope before any socket exists', async () => {
    const refusal = (path: string, headers: Record<string, string> = {}) =>
      ChatClient.connect(wsUrl(path), { headers }).then(
        () => ({ status: 101, code: 'opened' }),
        (err: { status: number; body: string }) => ({
          status: err.status,
          code: JSON.parse(err.body).error.code,
        }),
      );
    expect(await refusal('/ws/console')).toEqual({ status: 401, code: 'unauthorized' });
    expect(await refusal('/ws/console', { cookie: 'nd_console=forged-session-token' })).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect(await refusal('/ws/console', { cookie, origin: 'https://evil.example' })).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(await refusal('/ws/chat?bot=nobody')).toEqual({ status: 404, code: 'not_found' });
    expect(await refusal('/ws/chat?bot=bank-support', { origin: 'https://evil.example' })).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(await refusal('/ws/elsewhere')).toEqual({ status: 404, code: 'not_found' });
  });
});

describe('bad chat frames', () => {
  const valid = (id: string) => ({ type: 'message', id, text: 'my card has not arrived' });
  const connect = async () => {
    const s = await open(wsUrl('/ws/chat?bot=bank-support'));
    await s.next((f) => f.type === 'ready', 0);
    return s;
  };

  it('close the socket when over the size limit (1009), not UTF-8 (1007) or binary (1003); store nothing; a new socket works', async () => {
    for (const [data, binary, code] of [
      ['x'.repeat(4097), false, 1009],
      [Buffer.from([0x7b, 0xff, 0x7d]), false, 1007],
      [Buffer.from('{"type":"message"}'), true, 1003],
    ] as Array<[string | Buffer, boolean, number]>) {
      const before = inbound();
      const s = await connect();
      s.ws.send(data, { binary });
      expect(await s.closed).toBe(code);
      expect(inbound()).toBe(before);
      const again = await connect();
      again.ws.send(JSON.stringify(valid('after-close')));
      expect(await again.next((f) => f.type === 'ack', 0)).toMatchObject({ type: 'ack', id: 'after-close' });
      again.ws.close();
    }
  });

  it('answer each generated bad frame with its error or close code, store nothing, and take the next valid frame', async () => {
    await generated({
      name: 'chat',
      connect,
      valid,
      shape: {
        strict: true,
        fields: [
          { path: ['type'], types: ['string'], required: true },
          { path: ['id'], types: ['string'], required: true },
          { path: ['text'], types: ['string'], required: true },
        ],
      },
      isAnswer: (f, id) => f.type === 'ack' && f.id === id,
      isError: (f) => f.type === 'error',
      maxPayload: 4096,
    });
  });
});

describe('bad console frames', () => {
  // Taking a conversation (again) is answered at once and stores an operator action; the bot
  // holds it, so the take says it means to take it from the bot.
  const valid = (id: string) => ({
    v: 1,
    id,
    type: 'take',
    conversationId: b.replyConversation,
    confirm: true,
  });
  const connect = async () => {
    const s = await open(wsUrl('/ws/console'), { cookie });
    s.ws.send(JSON.stringify({ v: 1, id: 'hello', type: 'hello' }));
    await s.next((f) => f.type === 'ack' && f.id === 'hello', 0);
    return s;
  };

  it('close the socket when over the size limit (1009) or not UTF-8 (1007); a binary frame gets an error; nothing stored', async () => {
    for (const [data, code] of [
      ['x'.repeat(64 * 1024 + 1), 1009],
      [Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 1007],
    ] as Array<[string | Buffer, number]>) {
      const before = marks();
      const s = await connect();
      s.ws.send(data, { binary: false });
      expect(await s.closed).toBe(code);
      expect(marks()).toBe(before);
    }
    const s = await connect();
    const at = s.frames.length;
    s.ws.send(Buffer.from(JSON.stringify(valid('bin'))), { binary: true });
    expect(await s.next((f) => f.type === 'error', at)).toMatchObject({ code: 'bad_request' });
    s.ws.send(JSON.stringify(valid('after')));
    expect(await s.next((f) => f.type === 'ack' && f.id === 'after', at)).toBeTruthy();
    s.ws.close();
  });

  it('answer each generated bad frame with its error or close code, store nothing, and take the next valid frame', async () => {
    await generated({
      name: 'console',
      connect,
      valid,
      // Unknown fields are ignored by design (docs/console-protocol.md, Versioning).
      shape: {
        strict: false,
        fields: [
          { path: ['v'], types: ['int'], required: true },
          { path: ['id'], types: ['string'], required: true },
          { path: ['type'], types: ['string'], required: true },
          { path: ['conversationId'], types: ['int'], required: true },
        ],
      },
      isAnswer: (f, id) => f.type === 'ack' && f.id === id,
      isError: (f) => f.type === 'error',
      maxPayload: 64 * 1024,
    });
  });
});
