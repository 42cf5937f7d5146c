/**
 * deploy/nginx/neurodesk.conf in front of two gateway processes: requests spread over both,
 * keep being acknowledged when one is killed, websockets upgrade through it (the Origin check
 * sees the Host nginx passes on), bodies over the gateway's limit stop at nginx, and the
 * gateways rate-limit the client nginx names in X-Forwarded-For. (Each gateway has its own
 * SQLite file here: the shared-PostgreSQL cluster is test/reliability/cluster-kill.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/config.js';
import { CHANNEL_ENV } from '../../helpers/gateway.js';
import { type Nginx, nginxBinary, startNginx } from '../../helpers/nginx.js';
import { telegramMessage } from '../../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../../helpers/process.js';
import { gatewayEnv, inPool, openGatewayDb } from '../../helpers/reliability.js';
import { PlatformStandIn } from '../../helpers/stand-in.js';
import { ChatClient } from '../../helpers/ws-client.js';

const bin = nginxBinary();

describe.skipIf(!bin)('nginx in front of the gateways (deploy/nginx/neurodesk.conf)', () => {
  let api: PlatformStandIn;
  const dirs = [tempDir('neurodesk-lb-a-'), tempDir('neurodesk-lb-b-')];
  const gateways: GatewayProcess[] = [];
  let lb: Nginx;

  beforeAll(async () => {
    api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
    for (const dir of dirs) {
      gateways.push(
        await spawnGateway(
          'test/fixtures/keyword-gateway.ts',
          gatewayEnv(dir, api.url, {
            NEURODESK_TRUST_PROXY: 'loopback',
            NEURODESK_RATE_LIMIT: '1',
            NEURODESK_RATE_LIMIT_BURST: '40',
            NEURODESK_SHOP_DEMO: 'off',
          }),
          60_000,
        ),
      );
    }
    lb = await startNginx(
      bin!,
      gateways.map((g) => Number(new URL(g.url).port)),
    );
  }, 120_000);
  afterAll(async () => {
    await lb?.close();
    for (const g of gateways) g.child.kill('SIGKILL');
    await api?.close();
  });

  const deliver = async (updateId: number, client = '198.51.100.1') => {
    try {
      const res = await fetch(`${lb.url}/webhooks/telegram/bank-support`, {
        method: 'POST',
        body: JSON.stringify(
          telegramMessage(updateId, 'my card has not arrived', { chatId: 7000 + updateId }),
        ),
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
          'x-forwarded-for': client,
        },
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  };
  const storedIn = (dir: string, from: number, to: number) => {
    const db = openGatewayDb(dir);
    try {
      const r = db
        .prepare(
          "SELECT COUNT(DISTINCT delivery_id) AS n FROM inbound_deliveries WHERE channel = 'telegram' AND CAST(delivery_id AS INTEGER) BETWEEN ? AND ?",
        )
        .get(from, to) as { n: number };
      return r.n;
    } finally {
      db.close();
    }
  };

  it('upgrades the chat websocket through nginx, with the browser Origin of the public address', async () => {
    const chat = await ChatClient.connect(`${lb.url.replace('http', 'ws')}/ws/chat?bot=bank-support`, {
      headers: { origin: lb.url },
    });
    expect((await chat.next()).type).toBe('ready');
    expect((await chat.next()).author).toBe('bot');
    chat.ws.close();
  });

  it('spreads webhooks over both gateways', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => 100 + i);
    const statuses: number[] = [];
    await inPool(ids, 4, async (id) => {
      statuses.push(await deliver(id, `198.51.100.${10 + (id % 20)}`));
    });
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(storedIn(dirs[0]!, 100, 119)).toBeGreaterThan(0);
    expect(storedIn(dirs[1]!, 100, 119)).toBeGreaterThan(0);
  });

  it('stops a body over the gateway limit at nginx with 413', async () => {
    const res = await fetch(`${lb.url}/api/v1/classify`, {
      method: 'POST',
      body: JSON.stringify({ text: 'x'.repeat(300 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('server')).toMatch(/nginx/);
  });

  it('rate-limits each client nginx names, not nginx itself', async () => {
    // A burst of 40 per gateway: 100 requests from one client exhaust both gateways' buckets.
    const flood = await Promise.all(Array.from({ length: 100 }, (_, i) => deliver(1000 + i, '203.0.113.7')));
    expect(flood.filter((s) => s === 429).length).toBeGreaterThan(0);
    // Another client, through the same nginx, is not affected.
    expect(await deliver(2000, '203.0.113.8')).toBe(200);
  });

  it('keeps acknowledging webhooks when a gateway is killed: nginx sends them to the other', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => 5000 + i);
    const failed: number[] = [];
    let acked = 0;
    const victim = gateways[0]!;
    await inPool(ids, 4, async (id) => {
      const status = await deliver(id, `192.0.2.${id % 200}`);
      if (status !== 200) failed.push(status);
      if (++acked === 50) victim.child.kill('SIGKILL');
    });
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect(failed).toEqual([]);
    // Every delivery is stored, on the gateway that acknowledged it.
    const both = storedIn(dirs[0]!, 5000, 5199) + storedIn(dirs[1]!, 5000, 5199);
    expect(both).toBeGreaterThanOrEqual(200);
    const ready = await fetch(`${lb.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
