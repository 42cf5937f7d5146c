import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { Gateway } from '../../src/server.js';
import { authHeaders } from '../helpers/config.js';
import { CHANNEL_ENV, counts, row, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import {
  B24,
  bitrixInstall,
  bitrixMessage,
  chatwootMessage,
  postBitrix,
  postChatwoot,
  postSlack,
  postTelegram,
  slackMessage,
  telegramMessage,
} from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { waitFor } from '../helpers/wait.js';

describe('logs', () => {
  let api: PlatformStandIn;
  let gw: Gateway;
  const lines: string[] = [];

  beforeAll(async () => {
    api = await PlatformStandIn.start((r) => (r.path.startsWith('/rest/') ? { body: { result: 1 } } : {}));
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    gw = await startTestGateway({ standIn: api, logger: createLogger('trace', sink) });
  });
  afterAll(async () => {
    await gw.close();
    await api.close();
  });

  it('hold no secret and no customer text across every channel, successes and failures alike', async () => {
    const secretText = 'PIN-4111-secret-words stolen card';
    await postTelegram(gw, telegramMessage(1, secretText));
    await postTelegram(gw, telegramMessage(2, secretText), 'wrong-token');
    await postSlack(gw, slackMessage('Ev1', secretText));
    await postChatwoot(gw, chatwootMessage(1, secretText));
    await postBitrix(gw, bitrixInstall(`${api.url}/rest/`));
    await postBitrix(gw, bitrixMessage(`${api.url}/rest/`, 1, secretText));
    await fetch(`${gw.url}/api/v1/tickets`, {
      method: 'POST',
      body: JSON.stringify({ text: secretText }),
      headers: { 'content-type': 'application/json', ...authHeaders },
    });
    await waitFor(() => api.accepted().length >= 4, 5000, 'replies');
    const log = lines.join('');
    expect(log).toContain('webhook accepted');
    expect(log).toContain('message decided');
    for (const secret of [
      'PIN-4111',
      ...Object.values(CHANNEL_ENV),
      B24.applicationToken,
      'a98b9d690000071b0000084400000237f0f107589d1e',
      authHeaders.authorization.split(' ')[1]!,
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('per-source rate limit', () => {
  it('answers 429 with Retry-After once a source is over its rate, on webhooks and the API alike', async () => {
    const gw = await startTestGateway({
      config: { NEURODESK_RATE_LIMIT: '60', NEURODESK_RATE_LIMIT_BURST: '3' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await postTelegram(gw, telegramMessage(100 + i, 'card'))).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await fetch(`${gw.url}/api/v1/tickets/1`, { headers: authHeaders });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(await json(limited)).toEqual({
        error: { code: 'rate_limited', message: 'too many requests; retry later' },
      });
      expect(counts(gw).inbound).toBe(3);
      // Health checks are not limited.
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('a database held locked by another process', () => {
  it('answers 503 with Retry-After (never 500), loses nothing, and accepts the retry', async () => {
    const gw = await startTestGateway({ config: { NEURODESK_DB_BUSY_TIMEOUT: '50ms' } });
    const other = new Database(join(gw.dataDir, 'neurodesk.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const update = telegramMessage(500, 'card not arrived');
      const busy = await postTelegram(gw, update);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect((await json(busy)).error.code).toBe('store_busy');
      const ticket = await fetch(`${gw.url}/api/v1/tickets`, {
        method: 'POST',
        body: JSON.stringify({ text: 'card' }),
        headers: { 'content-type': 'application/json', ...authHeaders },
      });
      expect(ticket.status).toBe(503);
      other.exec('ROLLBACK');
      expect((await postTelegram(gw, update)).status).toBe(200);
      expect(counts(gw).inbound).toBe(1);
    } finally {
      other.close();
      await gw.close();
    }
  });
});

describe('body limits', () => {
  it('answer 413 to a webhook body over the limit and store nothing', async () => {
    const gw = await startTestGateway({ config: { NEURODESK_BODY_LIMIT: '2kb' } });
    try {
      const res = await postTelegram(gw, telegramMessage(1, 'x'.repeat(4000)));
      expect(res.status).toBe(413);
      expect(counts(gw).inbound).toBe(0);
    } finally {
      await gw.close();
    }
  });
});

describe('a webhook whose JSON is not Unicode text', () => {
  it('answers a lone surrogate with 400 and stores nothing; a surrogate pair is stored as sent', async () => {
    const gw = await startTestGateway();
    try {
      const broken = JSON.stringify(telegramMessage(1, 'card lost')).replace(
        'card lost',
        'card \\ud800 lost',
      );
      const res = await postTelegram(gw, broken);
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('invalid_json');
      expect(counts(gw).inbound).toBe(0);
      expect((await postTelegram(gw, telegramMessage(2, 'card 😀 lost'))).status).toBe(200);
      expect(row(gw, "SELECT text FROM messages WHERE direction = 'in'").text).toBe('card 😀 lost');
    } finally {
      await gw.close();
    }
  });
});
