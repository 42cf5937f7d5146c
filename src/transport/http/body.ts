import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../errors.js';

/** How a body is turned into `req.body`. */
export type BodyParser = (raw: Buffer, req: Request) => unknown;

/** Options for {@link readBody}. */
export interface ReadBodyOptions {
  /** Largest accepted body in bytes; larger ones get 413 without being read to the end. */
  limit: number;
  /** Accepted media types (`application/json`, ...), each with its parser. */
  types: Record<string, BodyParser>;
  /** Whether an empty body is acceptable (`req.body` is then undefined). */
  allowEmpty?: boolean;
}

const MAX_JSON_DEPTH = 64;

/** Refuses JSON nested deeper than `max`, scanning the text once before parsing it. */
export function checkJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw new AppError('invalid_json', `JSON is nested deeper than ${max} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes strict UTF-8: invalid byte sequences are a client error, not replacement characters. */
export function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new AppError('bad_request', 'body is not valid UTF-8');
  }
}

// Node 20 has String.prototype.isWellFormed; the ES2023 lib types do not list it yet.
const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Parses JSON text from a client (a body, a websocket frame). Refused, as `invalid_json`:
 * nesting deeper than 64; keys named `__proto__`, never legitimate in our APIs and the usual
 * vehicle for prototype pollution; and strings with a lone surrogate (`"\ud800"` without
 * its pair), which are not Unicode text and could not be stored as sent.
 */
export function parseJsonText(text: string): unknown {
  checkJsonDepth(text);
  try {
    return JSON.parse(text, (key, value) => {
      if (key === '__proto__') throw new AppError('invalid_json', 'JSON key "__proto__" is not allowed');
      if (!wellFormed(key) || (typeof value === 'string' && !wellFormed(value)))
        throw new AppError('invalid_json', 'JSON string has a lone surrogate: not valid Unicode text');
      return value;
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('invalid_json', `malformed JSON: ${(err as Error).message}`);
  }
}

/** Parses a JSON body: strict UTF-8, then {@link parseJsonText}. */
export const parseJson: BodyParser = (raw) => parseJsonText(decodeUtf8(raw));

function mediaType(req: Request): string | undefined {
  return req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
}

/**
 * Reads the body up to `limit` bytes, keeps the raw bytes in `req.rawBody` (signatures are
 * checked on them) and parses it by media type. A declared or streamed size over the limit
 * answers 413 and closes the connection instead of reading the rest.
 */
export function readBody(options: ReadBodyOptions): RequestHandler {
  const accepted = Object.keys(options.types).join(', ');
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = req.headers['content-length'];
    const hasBody =
      declared !== undefined ? declared !== '0' : req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) {
      if (options.allowEmpty) return next();
      return next(new AppError('bad_request', `a request body (${accepted}) is required`));
    }
    const type = mediaType(req);
    const parser = type ? options.types[type] : undefined;
    if (!parser) {
      return next(
        new AppError('unsupported_media_type', `content type must be ${accepted}, got ${type ?? 'none'}`),
      );
    }
    const tooLarge = () => {
      res.setHeader('Connection', 'close');
      return new AppError('payload_too_large', `body exceeds the limit of ${options.limit} bytes`);
    };
    if (declared !== undefined && Number(declared) > options.limit) {
      req.resume();
      return next(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) return next(err);
      const raw = Buffer.concat(chunks, size);
      req.rawBody = raw;
      try {
        req.body = parser(raw, req);
      } catch (parseErr) {
        return next(parseErr);
      }
      next();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.limit) {
        req.pause();
        return finish(tooLarge());
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (err: Error) =>
      finish(new AppError('bad_request', 'request body was not received', { cause: err }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}

/** `readBody` for JSON only, the common case of the REST API. */
export function jsonBody(limit: number, allowEmpty = false): RequestHandler {
  return readBody({ limit, types: { 'application/json': parseJson }, allowEmpty });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_FORM_PAIRS = 2000;
const MAX_FORM_DEPTH = 10;

/** Splits `data[PARAMS][MESSAGE]` into `['data', 'PARAMS', 'MESSAGE']`; `a[]` ends in `''` (append). */
export function formKeyPath(key: string): string[] {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) throw new AppError('bad_request', 'malformed form field name');
  const path = [m[1]!];
  for (const part of m[2]!.matchAll(/\[([^[\]]*)\]/g)) path.push(part[1]!);
  return path;
}

/**
 * Parses `application/x-www-form-urlencoded` with bracketed keys into nested objects, the
 * way PHP does — Bitrix24 posts its events so (`data[PARAMS][MESSAGE]=...&auth[member_id]=...`).
 * `a[]=x` appends to an array. Prototype keys, more than 2,000 fields, nesting deeper than
 * 10 and a key used both as a value and as a container are refused.
 */
export const parseForm: BodyParser = (raw) => {
  const params = new URLSearchParams(decodeUtf8(raw));
  const root: Record<string, unknown> = {};
  let pairs = 0;
  for (const [key, value] of params) {
    if (++pairs > MAX_FORM_PAIRS)
      throw new AppError('bad_request', `more than ${MAX_FORM_PAIRS} form fields`);
    const path = formKeyPath(key);
    if (path.length > MAX_FORM_DEPTH)
      throw new AppError('bad_request', `form field nested deeper than ${MAX_FORM_DEPTH}`);
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      if (FORBIDDEN_KEYS.has(part)) throw new AppError('bad_request', `form key "${part}" is not allowed`);
      const last = i === path.length - 1;
      if (Array.isArray(node)) {
        if (part !== '' && !/^\d+$/.test(part))
          throw new AppError('bad_request', 'form field mixes list and map');
        const index = part === '' ? node.length : Number(part);
        if (index >= MAX_FORM_PAIRS) throw new AppError('bad_request', 'form list index too large');
        if (last) node[index] = value;
        else {
          node[index] ??= path[i + 1] === '' ? [] : {};
          node = node[index] as Record<string, unknown> | unknown[];
        }
        continue;
      }
      if (part === '') throw new AppError('bad_request', 'malformed form field name');
      const existing: unknown = node[part];
      if (last) {
        if (existing !== undefined && typeof existing !== 'string')
          throw new AppError('bad_request', `form field "${key}" conflicts with another`);
        node[part] = value;
      } else {
        if (typeof existing === 'string')
          throw new AppError('bad_request', `form field "${key}" conflicts with another`);
        node[part] ??= path[i + 1] === '' ? [] : {};
        node = node[part] as Record<string, unknown> | unknown[];
      }
    }
  }
  return root;
};

/** Keeps the body raw (`req.body` undefined): webhooks verify the bytes before parsing them. */
export const keepRaw: BodyParser = () => undefined;
