import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { counts, row, startTestGateway } from '../helpers/gateway.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({ config: { NEURODESK_RATE_LIMIT: '0' } });
});
afterAll(async () => {
  await gw.close();
});

describe('deliveries arriving together', () => {
  it('are each answered 200 and stored once, replays racing their originals included', async () => {
    const updates = Array.from({ length: 60 }, (_, i) =>
      telegramMessage(20_000 + (i % 50), 'my card has not arrived', { chatId: 900 + (i % 7) }),
    );
    const statuses = await Promise.all(updates.map(async (u) => (await postTelegram(gw, u)).status));
    expect(statuses).toEqual(updates.map(() => 200));
    expect(counts(gw).inbound).toBe(50);
    expect(row(gw, 'SELECT COUNT(DISTINCT delivery_id) AS n FROM inbound_deliveries').n).toBe(50);
    expect(counts(gw).jobs).toBe(50);
  });
});
