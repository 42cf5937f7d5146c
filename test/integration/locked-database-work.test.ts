import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Classification, TicketClassifier } from '../../src/core/ports.js';
import type { Gateway } from '../../src/server.js';
import { row, startTestGateway } from '../helpers/gateway.js';
import { KeywordClassifier } from '../helpers/keyword-nets.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

/** Another connection to the gateway's database that takes the write lock and holds it for `ms`. */
function locker(gw: Gateway & { dataDir: string }) {
  const db = new Database(join(gw.dataDir, 'neurodesk.db'));
  open.push(db);
  return (ms: number) => {
    db.exec('BEGIN EXCLUSIVE');
    setTimeout(() => db.exec('COMMIT'), ms);
  };
}

describe('work in progress when another process locks the database', () => {
  it('is recorded once the lock goes: a message whose outcome could not be stored is processed, not left running', async () => {
    let lock: (ms: number) => void = () => {};
    let calls = 0;
    const keywords = new KeywordClassifier();
    // The lock is taken while the message is being classified, so its outcome cannot be stored.
    const classifier: TicketClassifier = {
      classify: async (net, text): Promise<Classification> => {
        if (calls++ === 0) lock(400);
        return keywords.classify(net, text);
      },
    };
    const api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
    open.push(api);
    const gw = await startTestGateway({
      standIn: api,
      classifier,
      config: { NEURODESK_DB_BUSY_TIMEOUT: '50ms' },
    });
    open.push(gw);
    lock = locker(gw);
    expect(
      (await postTelegram(gw, telegramMessage(1, 'my card has not arrived', { chatId: 5 }))).status,
    ).toBe(200);
    await waitFor(
      () => row(gw, 'SELECT status FROM jobs WHERE id = 1').status === 'done',
      5000,
      'the job done',
    );
    await api.waitForAccepted((r) => r.path.endsWith('/sendMessage'));
    expect(calls).toBe(2);
    expect(row(gw, 'SELECT COUNT(*) AS n FROM decisions').n).toBe(1);
  });

  it('marks a reply sent once the lock goes, and does not send it again', async () => {
    let lock: (ms: number) => void = () => {};
    const api = await PlatformStandIn.start((r) => {
      // The platform accepts the reply; meanwhile the database is locked, so the mark must wait.
      if (r.path.endsWith('/sendMessage')) lock(400);
      return { body: { ok: true, result: { message_id: 1 } } };
    });
    open.push(api);
    const gw = await startTestGateway({ standIn: api, config: { NEURODESK_DB_BUSY_TIMEOUT: '50ms' } });
    open.push(gw);
    lock = locker(gw);
    expect(
      (await postTelegram(gw, telegramMessage(1, 'my card has not arrived', { chatId: 5 }))).status,
    ).toBe(200);
    await waitFor(
      () => row(gw, 'SELECT status FROM outbox WHERE id = 1')?.status === 'sent',
      5000,
      'marked sent',
    );
    await sleep(300);
    expect(api.requests.filter((r) => r.path.endsWith('/sendMessage'))).toHaveLength(1);
  });
});
