import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { ConsoleClient, operatorsConfig, signIn } from '../helpers/console-client.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { type GatewayProcess, spawnGateway } from '../helpers/process.js';
import { gatewayEnv, latencyBound, ms1, percentile, recordFigures, scaled } from '../helpers/reliability.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

const CLIENTS = 200;
const EVENTS_PER_S = 50;
const SECONDS = scaled(60, 8);
// A customer writing again in a conversation already with the operators makes five console
// events: the message, the queue line updated by the message, the decision and the handoff,
// and the open conversation's new category and suggestions (conversation.updated).
const EVENTS_PER_MESSAGE = 5;
const CONVERSATIONS = 100;

/** What one console client saw. */
interface Seen {
  client: ConsoleClient;
  firstSeq: number;
  lastSeq: number;
  received: number;
  gaps: number;
}

let api: PlatformStandIn;
let gw: GatewayProcess;
const seen: Seen[] = [];
const fanoutMs: number[] = [];
const endToEndMs: number[] = [];
/** When the test sent the latest message of each conversation (by chat id). */
const sentAt = new Map<number, number>();
const conversationChat = new Map<number, number>();

const gateway = () => ({ url: gw.url }) as Parameters<typeof postTelegram>[0];

/** Resident memory of the gateway process, from its own /metrics. */
async function residentBytes(): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const m = /^neurodesk_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (!m) throw new Error('no resident memory figure in /metrics');
  return Number(m[1]);
}

beforeAll(async () => {
  api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  gw = await spawnGateway(
    'test/fixtures/keyword-gateway.ts',
    gatewayEnv(tempDir('neurodesk-fanout-'), api.url, {
      NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(),
    }),
  );
  const cookies = [await signIn(gw.url, 'ann'), await signIn(gw.url, 'bob')];
  for (let i = 0; i < CLIENTS; i++) {
    const s: Seen = { client: undefined as never, firstSeq: 0, lastSeq: 0, received: 0, gaps: 0 };
    s.client = await ConsoleClient.connect(gw.url, cookies[i % 2]!, (frame, receivedAt) => {
      if (frame.seq !== s.lastSeq + 1) s.gaps++;
      s.lastSeq = frame.seq;
      s.received++;
      const e = frame.event;
      const conversation = e.conversationId ?? e.item?.conversationId;
      const sent = sentAt.get(conversationChat.get(conversation) ?? -1);
      if (sent !== undefined) endToEndMs.push(receivedAt - sent);
      if (e.kind === 'message.added') fanoutMs.push(receivedAt - e.message.createdAt);
    });
    s.firstSeq = s.client.frames.find((f) => f.type === 'welcome').seq;
    s.lastSeq = s.firstSeq;
    seen.push(s);
  }
});
afterAll(async () => {
  for (const s of seen) s.client.close();
  gw?.child.kill('SIGTERM');
  await gw?.exited;
  await api?.close();
});

describe('the operators console under load', () => {
  it(`delivers ${EVENTS_PER_S} events a second for ${SECONDS} s to each of ${CLIENTS} consoles, every one, p99 under 100 ms, in under 50 MB more memory`, async () => {
    // The conversations the customers write in, handed to the operators first.
    for (let chat = 1; chat <= CONVERSATIONS; chat++) {
      sentAt.set(chat, Date.now());
      expect(
        (await postTelegram(gateway(), telegramMessage(chat, 'someone stole my card', { chatId: chat })))
          .status,
      ).toBe(200);
    }
    await waitFor(() => seen.every((s) => s.received >= CONVERSATIONS * 3), 30_000, 'the queue filled');
    // Which conversation is which customer's, from a fresh console's snapshot.
    const probe = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'ann'));
    for (const item of probe.frames.find((f) => f.type === 'snapshot').queue)
      conversationChat.set(item.conversationId, Number(item.customer.id));
    probe.close();
    expect(conversationChat.size).toBe(CONVERSATIONS);
    fanoutMs.length = 0;
    endToEndMs.length = 0;

    await sleep(2000);
    const rssBefore = await residentBytes();
    const startSeq = seen[0]!.lastSeq;
    const messages = (EVENTS_PER_S / EVENTS_PER_MESSAGE) * SECONDS;
    const interval = 1000 / (EVENTS_PER_S / EVENTS_PER_MESSAGE);
    const started = Date.now();
    const posts: Array<Promise<number>> = [];
    for (let i = 0; i < messages; i++) {
      const due = started + i * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      const chat = (i % CONVERSATIONS) + 1;
      sentAt.set(chat, Date.now());
      posts.push(
        postTelegram(
          gateway(),
          telegramMessage(1000 + i, 'someone stole my card, again', { chatId: chat }),
        ).then((r) => r.status),
      );
    }
    const statuses = await Promise.all(posts);
    const expected = startSeq + messages * EVENTS_PER_MESSAGE;
    await waitFor(() => seen.every((s) => s.lastSeq >= expected), 30_000, 'every console caught up').catch(
      () => {},
    );
    const elapsed = (Date.now() - started) / 1000;
    await sleep(1000);
    const rssAfter = await residentBytes();
    const lastSeq = Math.max(...seen.map((s) => s.lastSeq));
    const complete = seen.filter((s) => s.gaps === 0 && s.lastSeq === lastSeq).length;
    const figures = recordFigures('console-fanout', {
      clients: CLIENTS,
      seconds: SECONDS,
      events: lastSeq - startSeq,
      eventsPerS: Math.round((lastSeq - startSeq) / elapsed),
      framesDelivered: seen.reduce((n, s) => n + s.received, 0),
      clientsWithEveryEvent: complete,
      deliveryP50Ms: ms1(percentile(fanoutMs, 50)),
      deliveryP99Ms: ms1(percentile(fanoutMs, 99)),
      deliveryMaxMs: ms1(percentile(fanoutMs, 100)),
      webhookToConsoleP99Ms: ms1(percentile(endToEndMs, 99)),
      p99TargetMs: 100,
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      rssGrowthMb: ms1((rssAfter - rssBefore) / 2 ** 20),
      rssGrowthTargetMb: 50,
    });
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(lastSeq).toBe(expected);
    expect(complete).toBe(CLIENTS);
    expect(figures.eventsPerS).toBeGreaterThanOrEqual(EVENTS_PER_S * 0.95);
    expect(percentile(fanoutMs, 99)).toBeLessThan(latencyBound(100));
    expect(rssAfter - rssBefore).toBeLessThan(50 * 2 ** 20);
  });
});
