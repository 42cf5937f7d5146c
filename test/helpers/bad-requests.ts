/**
 * fast-check generators of bad requests for an endpoint, each with the refusal it must get.
 * Every kind starts from a valid payload and breaks one thing, so the expected answer is
 * known without re-implementing the gateway's checks.
 */
import fc from 'fast-check';
import { type Endpoint, typeAccepted } from './endpoints.js';
import type { BuiltRequest } from './refusals.js';

/** A bad request and the answer it must get. */
export interface BadRequest {
  kind: string;
  request: BuiltRequest;
  status: number;
  codes: string[];
}

/** How a body is made into a request for `e`: the right media type and valid credentials, unless overridden. */
function request(e: Endpoint, body: Buffer, o: { headers?: Record<string, string>; chunked?: boolean } = {}) {
  return {
    path: e.path,
    headers: { 'content-type': e.contentType, ...e.auth(body), ...o.headers },
    body,
    chunked: o.chunked,
  };
}

const clone = <T>(v: T): T => structuredClone(v);

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Inserts `insert` inside the first string value holding `marker` in the JSON text. */
function insideString(text: string, marker: string, insert: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no "${marker}" in the payload`);
  const cut = at + Math.floor(marker.length / 2);
  return text.slice(0, cut) + insert + text.slice(cut);
}

/** A string every payload holds in some text field, to corrupt in place. */
function markerOf(e: Endpoint, payloadText: string): string {
  for (const m of ['my card has not arrived', 'reply ', 'ann-password-1'])
    if (payloadText.includes(m)) return m;
  throw new Error(`no text field in the ${e.name} payload`);
}

// Byte sequences that are not UTF-8: a stray continuation byte, a truncated sequence, an
// overlong encoding, a UTF-16 surrogate encoded as UTF-8 (CESU-8), bytes UTF-8 never uses.
const INVALID_UTF8 = [
  [0x80],
  [0xc3, 0x28],
  [0xe2, 0x82, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

const MEDIA_TYPES = [
  'text/plain',
  'text/json',
  'application/jsonp',
  'application/json-patch+json',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  '',
];

/** Every kind of bad request for `e`, whose bodies may be at most `limit` bytes; `fresh()` numbers payloads. */
export function badRequests(
  e: Endpoint,
  gatewayLimit: number,
  fresh: () => number,
): fc.Arbitrary<BadRequest> {
  const limit = e.bodyLimit ?? gatewayLimit;
  const payload = () => e.payload(fresh());
  const json = (kind: string, status: number, codes: string[]) => (body: Buffer) => ({
    kind,
    request: request(e, body),
    status,
    codes,
  });

  const notJson = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 300 })
    .filter((s) => !isJson(s) && s.trim().length > 0)
    .map((s) => json('not JSON', 400, ['invalid_json'])(Buffer.from(s)));

  const wrongType = fc
    .tuple(fc.constantFrom(...e.typed), fc.jsonValue({ maxDepth: 3 }))
    .filter(([field, value]) => !typeAccepted(field, value))
    .map(([field, value]) => {
      const p = clone(payload());
      setAt(p, field.path, value);
      return json(`${field.path.join('.')} of the wrong type`, 400, ['validation_failed'])(e.encode(p));
    });

  const notObject = fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map((v) => json('not an object', 400, ['validation_failed'])(Buffer.from(JSON.stringify(v))));

  // Deep, but within the body limit (each level is at most 6 bytes, the payload's own ids a few more).
  const room = limit - JSON.stringify(e.payload(0)).length - 64;
  const deep = fc
    .tuple(
      fc.integer({ min: 65, max: Math.min(4000, Math.floor(room / 6)) }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    )
    .map(([depth, shape]) => {
      let open = '';
      let close = '';
      for (let i = 0; i < depth; i++) {
        const obj = shape[i % shape.length];
        open += obj ? '{"a":' : '[';
        close = (obj ? '}' : ']') + close;
      }
      const text = JSON.stringify(payload()).replace(/^\{/, `{"nested":${open}1${close},`);
      return json('nested too deep', 400, ['invalid_json'])(Buffer.from(text));
    });

  const protoKey = fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([pick, value]) => {
    const text = JSON.stringify(payload());
    const opens = [...text.matchAll(/\{/g)].map((m) => m.index!);
    const at = opens[pick % opens.length]! + 1;
    const sep = text[at] === '}' ? '' : ',';
    const body = `${text.slice(0, at)}"__proto__":${JSON.stringify(value)}${sep}${text.slice(at)}`;
    return json('__proto__ key', 400, ['invalid_json'])(Buffer.from(body));
  });

  const badUtf8 = fc.constantFrom(...INVALID_UTF8).map((bytes) => {
    const text = JSON.stringify(payload());
    const marker = markerOf(e, text);
    const at = Buffer.byteLength(text.slice(0, text.indexOf(marker) + 2));
    const raw = Buffer.from(text);
    const body = Buffer.concat([raw.subarray(0, at), Buffer.from(bytes), raw.subarray(at)]);
    return json('invalid UTF-8', 400, ['bad_request'])(body);
  });

  const loneSurrogate = fc
    .tuple(fc.integer({ min: 0xd800, max: 0xdfff }), fc.boolean())
    .map(([unit, escaped]) => {
      const text = JSON.stringify(payload());
      // As a JSON escape, or as the raw code unit (which UTF-8 cannot carry: sent as its CESU-8 bytes).
      const insert = escaped ? `\\u${unit.toString(16)}` : String.fromCharCode(unit);
      const body = insideString(text, markerOf(e, text), `${insert}x`);
      return escaped
        ? json('lone surrogate (escaped)', 400, ['invalid_json'])(Buffer.from(body))
        : json('lone surrogate (raw)', 400, ['bad_request'])(cesu8(body));
    });

  const accepted =
    e.name === 'bitrix24' ? ['application/json', 'application/x-www-form-urlencoded'] : [e.contentType];
  const wrongMedia = fc
    .oneof(fc.constantFrom(...MEDIA_TYPES), fc.stringMatching(/^[a-z]{1,12}\/[a-z0-9.+-]{1,20}$/))
    .filter((t) => !accepted.includes(t.split(';')[0]!.trim().toLowerCase()))
    .map((type) => {
      const body = e.encode(payload());
      return {
        kind: 'wrong content type',
        request: request(e, body, { headers: { 'content-type': type } }),
        status: 415,
        codes: ['unsupported_media_type'],
      };
    });

  const empty = fc.constant(null).map(() => json('no body', 400, ['bad_request'])(Buffer.alloc(0)));

  const tooLarge = fc
    .tuple(fc.integer({ min: limit + 1, max: limit * 4 }), fc.boolean())
    .map(([size, chunked]) => {
      const text = JSON.stringify({ ...payload(), padding: '' });
      const body = Buffer.from(
        text.replace('"padding":""', `"padding":"${'x'.repeat(Math.max(0, size - text.length))}"`),
      );
      return {
        kind: chunked ? 'over the limit, chunked' : 'over the limit, declared',
        request: request(e, body, { chunked }),
        status: 413,
        codes: ['payload_too_large'],
      };
    });

  const kinds: Array<fc.WeightedArbitrary<BadRequest>> = [
    { arbitrary: notJson, weight: 3 },
    { arbitrary: wrongType, weight: 4 },
    { arbitrary: notObject, weight: 1 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: protoKey, weight: 2 },
    { arbitrary: badUtf8, weight: 2 },
    { arbitrary: loneSurrogate, weight: 2 },
    { arbitrary: wrongMedia, weight: 1 },
    { arbitrary: empty, weight: 1 },
    { arbitrary: tooLarge, weight: 1 },
  ];
  if (e.badAuth) {
    const badAuth = fc.tuple(fc.nat(), fc.nat()).map(([which, n]): BadRequest => {
      const cases = e.badAuth!(payload(), (max) => n % max);
      const [why, headers, body] = cases[which % cases.length]!;
      // Only the credentials change: the media type stays right, the signature headers are the case's own.
      return {
        kind: `credentials: ${why}`,
        request: { path: e.path, headers: { 'content-type': e.contentType, ...headers }, body },
        status: 401,
        codes: ['unauthorized'],
      };
    });
    kinds.push({ arbitrary: badAuth, weight: 3 });
  }
  return fc.oneof(...kinds).map(described);
}

/** Gives a bad request a short description, for fast-check's counterexamples. */
function described(b: BadRequest): BadRequest {
  const preview = b.request.body.subarray(0, 160).toString('latin1');
  return Object.assign(b, {
    [fc.toStringMethod]: () =>
      `${b.kind} → ${b.status} ${b.codes.join('|')}: ${JSON.stringify(b.request.headers)} ${b.request.body.length} bytes ${JSON.stringify(preview)}`,
  });
}

/** UTF-8 that encodes lone surrogates as three bytes each (CESU-8), as broken encoders do. */
function cesu8(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      parts.push(Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]));
    else parts.push(Buffer.from(ch));
  }
  return Buffer.concat(parts);
}
