import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { ConsoleClient, operatorsConfig, signIn } from '../helpers/console-client.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { clientFrame, rawUpgrade } from '../helpers/raw-http.js';
import { gatewayEnv, latencyBound, ms1, percentile, recordFigures, scaled } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

const READERS = 10;
const MESSAGES = scaled(200, 120);
const TEXT_BYTES = 100_000;

let api: PlatformStandIn;
let gw: GatewayProcess;
const gateway = () => ({ url: gw.url }) as Parameters<typeof postTelegram>[0];

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await spawnGateway(
    'test/fixtures/keyword-gateway.ts',
    gatewayEnv(tempDir('neurodesk-slow-'), api.url, { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig() }),
  );
});
afterAll(async () => {
  gw?.child.kill('SIGTERM');
  await gw?.exited;
  await api?.close();
});

describe('a console that stops reading', () => {
  it('is dropped, and the consoles that read get every event on time', async () => {
    const cookie = await signIn(gw.url, 'ann');
    const latencies: number[] = [];
    const readers = await Promise.all(
      Array.from({ length: READERS }, async () => {
        const r = { gaps: 0, last: 0, client: undefined as unknown as ConsoleClient };
        r.client = await ConsoleClient.connect(gw.url, cookie, (frame, receivedAt) => {
          if (r.last !== 0 && frame.seq !== r.last + 1) r.gaps++;
          r.last = frame.seq;
          if (frame.event.kind === 'message.added')
            latencies.push(receivedAt - frame.event.message.createdAt);
        });
        return r;
      }),
    );
    // The stalled console: says hello like the page does, then never reads again.
    const stalled = await rawUpgrade(gw.url, '/ws/console', { Cookie: cookie });
    stalled.write(clientFrame(Buffer.from(JSON.stringify({ v: 1, id: 'h', type: 'hello' }))));
    await sleep(200);
    stalled.pause();
    let stalledClosedAt = 0;
    stalled.on('close', () => {
      stalledClosedAt = Date.now();
    });
    stalled.on('error', () => {});

    // Customers write long messages in handed-off conversations: each event carries 100 kB.
    const filler = ' card'.repeat(TEXT_BYTES / 5);
    const started = Date.now();
    for (let i = 0; i < MESSAGES; i++) {
      const res = await postTelegram(
        gateway(),
        telegramMessage(i + 1, `someone stole my card${filler}`, { chatId: 1 + (i % 20) }),
      );
      expect(res.status).toBe(200);
      await sleep(20);
    }
    const flooded = Date.now();
    const lastSeq = await waitFor(
      async () => {
        const seqs = readers.map((r) => r.last);
        await sleep(500);
        return readers.every((r, i) => r.last === seqs[i]) && Math.max(...seqs);
      },
      30_000,
      'the readers caught up',
    );
    // Reading again now: a dropped socket has nothing more than what was in flight, then closes.
    stalled.resume();
    await waitFor(() => stalledClosedAt > 0, 10_000, 'the stalled console closed');
    const figures = recordFigures('slow-reader', {
      readers: READERS,
      messages: MESSAGES,
      eventBytes: TEXT_BYTES,
      floodSeconds: ms1((flooded - started) / 1000),
      events: lastSeq,
      readersWithEveryEvent: readers.filter((r) => r.gaps === 0 && r.last === lastSeq).length,
      readersDeliveryP99Ms: ms1(percentile(latencies, 99)),
      stalledDropped: stalledClosedAt > 0,
    });
    expect(figures.readersWithEveryEvent).toBe(READERS);
    expect(percentile(latencies, 99)).toBeLessThan(latencyBound(100));
    for (const r of readers) r.client.close();
  });
});
