/**
 * What every refused request must look like, how to send a request exactly as built (a
 * declared or a chunked body), and the marks a refused request must leave unchanged.
 */
import { expect } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors.js';
import type { Gateway } from '../../src/server.js';
import { sqliteDatabaseOf } from '../../src/store/sqlite.js';
import { authHeaders } from './config.js';
import { operatorsConfig } from './console-client.js';
import { type Endpoint, endpoints } from './endpoints.js';
import { startTestGateway } from './gateway.js';
import { bitrixInstall, postBitrix } from './platforms.js';
import { PlatformStandIn } from './stand-in.js';

/** A request built byte by byte. */
export interface BuiltRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent with Transfer-Encoding: chunked (no Content-Length) when true. */
  chunked?: boolean;
}

/** A response as the suite reads it. */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

// A stack frame ("at fn (file:1:2)"), a source path or a module path: none may reach a client.
const STACK_TRACE = /\bat \S+ \(|\bat \S+:\d+:\d+|node_modules|\.[cm]?[jt]s:\d+|\/src\//;

/** Sends a built request (fetch sets Content-Length for a declared body). */
export async function send(baseUrl: string, r: BuiltRequest): Promise<Answer> {
  const body = r.chunked
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < r.body.length; i += 4096) controller.enqueue(r.body.subarray(i, i + 4096));
          controller.close();
        },
      })
    : r.body;
  const res = await fetch(`${baseUrl}${r.path}`, {
    method: 'POST',
    headers: r.headers,
    body,
    ...(r.chunked ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** Asserts a refusal: the status, one of the codes (each with that status in the catalogue), the envelope and nothing else, no stack trace. */
export function expectRefusal(a: Answer, status: number, codes: readonly string[]): void {
  expect(a.status, a.body).toBe(status);
  expect(a.contentType).toMatch(/^application\/json/);
  const parsed = JSON.parse(a.body) as { error: { code: keyof typeof ERROR_CATALOGUE; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).filter((k) => k !== 'details')).toEqual(['code', 'message']);
  expect(codes).toContain(parsed.error.code);
  expect(ERROR_CATALOGUE[parsed.error.code]).toBe(status);
  expect(typeof parsed.error.message).toBe('string');
  expect(a.body).not.toMatch(STACK_TRACE);
}

/**
 * The newest row of every table a request could write to directly (deliveries,
 * conversations, Bitrix24 installs and their tokens, console sessions and actions, and the
 * operator replies of `replyConversation`). The workers write elsewhere, so these change only
 * when a request stored something.
 */
export function storedMarks(gw: Gateway, replyConversation: number): string {
  return JSON.stringify(
    sqliteDatabaseOf(gw.store)
      .prepare(
        `SELECT (SELECT MAX(rowid) FROM inbound_deliveries) AS deliveries,
                (SELECT MAX(rowid) FROM conversations) AS conversations,
                (SELECT MAX(rowid) FROM bitrix24_installs) AS installs,
                (SELECT group_concat(application_token) FROM bitrix24_installs) AS tokens,
                (SELECT MAX(rowid) FROM console_sessions) AS sessions,
                (SELECT MAX(rowid) FROM operator_actions) AS actions,
                (SELECT MAX(id) FROM messages WHERE conversation_id = ? AND author = 'operator') AS replies`,
      )
      .get(replyConversation),
  );
}

/** The gateway the bad-input suites run against, with what they need around it. */
export interface BadInputGateway {
  gw: Gateway & { dataDir: string };
  api: PlatformStandIn;
  /** A conversation the operator-reply endpoint answers in. */
  replyConversation: number;
  endpoints: Endpoint[];
  close(): Promise<void>;
}

/**
 * The real gateway in-process with a small body limit (so over-limit bodies stay cheap), no
 * per-address limit (every request comes from one address), the console's operators, a
 * Bitrix24 portal installed and a REST conversation to reply in.
 */
export async function startBadInputGateway(bodyLimit: number): Promise<BadInputGateway> {
  const api = await PlatformStandIn.start((r) =>
    r.path.startsWith('/rest/')
      ? { body: { result: 1 } }
      : { body: { ok: true, id: 1, result: { message_id: 1 } } },
  );
  const gw = await startTestGateway({
    standIn: api,
    config: {
      NEURODESK_RATE_LIMIT: '0',
      NEURODESK_BODY_LIMIT: `${bodyLimit}b`,
      NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(),
    },
  });
  expect((await postBitrix(gw, bitrixInstall(`${api.url}/rest/`))).status).toBe(200);
  const ticket = await fetch(`${gw.url}/api/v1/tickets`, {
    method: 'POST',
    body: JSON.stringify({ text: 'my card has not arrived', callback_url: `${api.url}/crm` }),
    headers: { 'content-type': 'application/json', ...authHeaders },
  });
  const replyConversation = ((await ticket.json()) as { conversation_id: number }).conversation_id;
  return {
    gw,
    api,
    replyConversation,
    endpoints: endpoints({ standInUrl: api.url, replyConversation }),
    close: async () => {
      await gw.close();
      await api.close();
    },
  };
}

/** Sends a valid request to `e` (payload `n`) and checks it succeeds and stores something. */
export async function expectValidSucceeds(b: BadInputGateway, e: Endpoint, n: number): Promise<void> {
  const before = storedMarks(b.gw, b.replyConversation);
  const body = e.encode(e.payload(n));
  const ok = await send(b.gw.url, {
    path: e.path,
    headers: { 'content-type': e.contentType, ...e.auth(body) },
    body,
  });
  expect(ok.status, ok.body).toBeLessThan(300);
  expect(storedMarks(b.gw, b.replyConversation)).not.toBe(before);
}
