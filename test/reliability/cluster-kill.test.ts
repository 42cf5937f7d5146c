/**
 * Three gateway processes on one PostgreSQL behind nginx (deploy/nginx/neurodesk.conf).
 * Telegram webhooks from a fake platform go through nginx and spread over the three; an
 * operator's console is connected to instance B and a customer's chat to instance A. In the
 * middle of the deliveries instance C is killed with SIGKILL. Then: every acknowledged
 * delivery is stored and processed exactly once, every reply reached the platform (a reply
 * sent twice only where C died between the platform's answer and its commit: counted and
 * reported), the operator's reply from B reached the chat on A, and the console on B shows
 * exactly the queue the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, count, drained, startCluster } from '../helpers/cluster.js';
import { ConsoleClient, signIn } from '../helpers/console-client.js';
import { CHANNEL_ENV } from '../helpers/gateway.js';
import { nginxBinary } from '../helpers/nginx.js';
import { telegramMessage } from '../helpers/platforms.js';
import { createTestDatabase, postgresServerOrExplain, type TestDatabase } from '../helpers/postgres.js';
import { inPool, recordFigures, scaled, seededRandom } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';
import { ChatClient } from '../helpers/ws-client.js';

const DELIVERIES = scaled(5000, 1000);
const CONCURRENCY = 24;
/** A short claim lease, so the killed instance's work is taken over within the test's patience. */
const LEASE_MS = 8_000;
const CHAT_BASE = 3_000_000;

const server = postgresServerOrExplain();
const bin = nginxBinary();

/** Texts the keyword classifier answers, and one it hands to the operators. */
const TEXTS = [
  'my card has not arrived',
  'what is the exchange rate',
  'someone stole my card',
  'hmm, a question',
];

describe.skipIf(!server || !bin)('three gateways on one PostgreSQL behind nginx', () => {
  let db: TestDatabase;
  let cluster: Cluster;

  beforeAll(async () => {
    db = await createTestDatabase(server!);
    cluster = await startCluster({
      databaseUrl: db.url,
      instances: 3,
      nginx: bin,
      env: { NEURODESK_CLAIM_LEASE: `${LEASE_MS}ms`, NEURODESK_OUTBOUND_TIMEOUT: '3s' },
    });
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
    await db?.drop();
  });

  /** POSTs one update through nginx; true when it was acknowledged (2xx). */
  async function deliver(updateId: number): Promise<boolean> {
    try {
      const res = await fetch(`${cluster.lb?.url}/webhooks/telegram/bank-support`, {
        method: 'POST',
        body: JSON.stringify(
          telegramMessage(updateId, TEXTS[updateId % TEXTS.length]!, { chatId: CHAT_BASE + updateId }),
        ),
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
        },
      });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  it(`kill -9 of one instance during ${DELIVERIES} deliveries: nothing lost, nothing processed twice, every reply sent, the console and the chat follow across instances`, async () => {
    const [a, b, c] = cluster.gateways.map((g) => g!);
    if (!a || !b || !c) throw new Error('three instances expected');
    const random = seededRandom(20261206);

    // The operator's console on B, the customer's chat on A.
    const consoleB = await ConsoleClient.connect(b.url, await signIn(b.url, 'ann'));
    const chat = await ChatClient.connect(`${a.url.replace('http', 'ws')}/ws/chat?bot=bank-support`);
    expect((await chat.next()).type).toBe('ready');
    await chat.next(); // the greeting

    const acknowledged = new Set<number>();
    const unacknowledged: number[] = [];
    const killAfter = Math.floor(DELIVERIES * (0.3 + 0.4 * random()));
    let acks = 0;
    let sendingAtKill: number[] = [];
    let killedAt = 0;
    const ids = Array.from({ length: DELIVERIES }, (_, i) => i + 1);
    const started = Date.now();
    const deliveries = inPool(ids, CONCURRENCY, async (id) => {
      if (await deliver(id)) {
        acknowledged.add(id);
        if (++acks === killAfter) {
          c.child.kill('SIGKILL');
          killedAt = Date.now();
          // The replies C was sending when it died: the platform may have accepted them.
          const r = await cluster.db.query(
            "SELECT id FROM outbox WHERE status = 'sending' AND claimed_by LIKE $1",
            [`%:${c.child.pid}:%`],
          );
          sendingAtKill = r.rows.map((row) => Number(row.id));
        }
      } else unacknowledged.push(id);
    });

    // Meanwhile: the customer on A writes something the bot hands to the operators; the
    // operator on B sees it, takes it and replies; the reply reaches the customer on A.
    chat.ws.send(JSON.stringify({ type: 'message', id: 'c1', text: 'hmm, a question for a person' }));
    const ack = await chat.next(10_000);
    expect(ack).toMatchObject({ type: 'ack', id: 'c1' });
    const queued = await consoleB.event(
      (e) => e.kind === 'queue.upsert' && e.item.channel === 'chat',
      'the chat conversation in the console on B',
    );
    const conversationId = queued.item.conversationId as number;
    await consoleB.request({ type: 'take', conversationId });
    await consoleB.request({ type: 'reply', conversationId, text: 'Hello from the operators' });
    const frames: Array<{ type: string; author?: string; text?: string }> = [];
    await waitFor(
      async () => {
        const f = await chat.next(10_000);
        frames.push(f);
        return f.type === 'message' && f.author === 'operator';
      },
      20_000,
      "the operator's reply on the chat socket",
    );
    expect(frames.at(-1)).toMatchObject({
      type: 'message',
      author: 'operator',
      text: 'Hello from the operators',
    });

    await deliveries;
    const deliverSeconds = (Date.now() - started) / 1000;
    expect((await c.exited).signal).toBe('SIGKILL');
    // What got no 2xx is sent again, as the platform would.
    const failedResends: number[] = [];
    await inPool(unacknowledged, CONCURRENCY, async (id) => {
      if (await deliver(id)) acknowledged.add(id);
      else failedResends.push(id);
    });
    expect(failedResends).toEqual([]);
    const drainMs = await drained(cluster.db, LEASE_MS + 60_000);

    // Every acknowledged delivery: one delivery row, one message, one processing job, one decision.
    const perDelivery = await cluster.db.query(
      `SELECT d.delivery_id AS id,
              (SELECT count(*) FROM messages m WHERE m.id = d.message_id) AS messages,
              (SELECT count(*) FROM jobs j WHERE j.kind = 'process_message'
                 AND (j.payload::json->>'messageId')::bigint = d.message_id) AS jobs,
              (SELECT count(*) FROM decisions x WHERE x.message_id = d.message_id) AS decisions
         FROM inbound_deliveries d WHERE d.channel = 'telegram'`,
    );
    const rows = new Map(perDelivery.rows.map((r) => [Number(r.id), r]));
    const notExactlyOnce = [...acknowledged].filter((id) => {
      const r = rows.get(id);
      return !r || Number(r.messages) !== 1 || Number(r.jobs) !== 1 || Number(r.decisions) !== 1;
    });

    // Every reply reached the platform; a second copy only where C died mid-send.
    const received = new Map<string, number>();
    for (const req of cluster.api.requests) {
      if (!req.path.endsWith('/sendMessage')) continue;
      const chatId = String(req.body?.chat_id);
      received.set(chatId, (received.get(chatId) ?? 0) + 1);
    }
    const sent = await cluster.db.query(
      `SELECT c.external_chat_id AS chat, count(*) AS n FROM outbox o JOIN conversations c ON c.id = o.conversation_id
        WHERE o.channel = 'telegram' AND o.status = 'sent' GROUP BY c.external_chat_id`,
    );
    let missingReplies = 0;
    let duplicateReplies = 0;
    for (const r of sent.rows) {
      const got = received.get(String(r.chat)) ?? 0;
      missingReplies += Math.max(0, Number(r.n) - got);
      duplicateReplies += Math.max(0, got - Number(r.n));
    }
    const unanswered = [...acknowledged].filter((id) => !received.has(String(CHAT_BASE + id)));
    const dead = await count(cluster.db, "SELECT count(*) FROM outbox WHERE status = 'dead'");

    // The console on B shows the queue the database holds (the killed instance's last events,
    // if any were lost with it, are made up by the snapshot B sends when C stops beating).
    const inQueue = async () =>
      new Set(
        (
          await cluster.db.query("SELECT id FROM conversations WHERE status IN ('queued', 'assigned')")
        ).rows.map((r) => Number(r.id)),
      );
    const consoleView = () => {
      const view = new Set<number>();
      for (const f of consoleB.frames) {
        if (f.type === 'snapshot') {
          view.clear();
          for (const q of f.queue) view.add(q.conversationId);
        } else if (f.type === 'event' && f.event.kind === 'queue.upsert')
          view.add(f.event.item.conversationId);
        else if (f.type === 'event' && f.event.kind === 'queue.remove') view.delete(f.event.conversationId);
      }
      return view;
    };
    const same = (x: Set<number>, y: Set<number>) => x.size === y.size && [...x].every((v) => y.has(v));
    await waitFor(
      async () => same(consoleView(), await inQueue()),
      30_000,
      'the console on B to match the queue',
    ).catch(() => undefined);
    const queue = await inQueue();
    const view = consoleView();
    const consoleEvents = consoleB.frames.filter((f) => f.type === 'event').length;
    const seqs = consoleB.frames.filter((f) => f.type === 'event').map((f) => f.seq as number);
    const seqGaps = seqs.filter((s, i) => i > 0 && s !== seqs[i - 1]! + 1).length;
    const resyncs = consoleB.frames.filter((f) => f.type === 'snapshot').length - 1;

    recordFigures('cluster-kill', {
      instances: 3,
      deliveries: DELIVERIES,
      killedAfterAcks: killAfter,
      killedAtS: Math.round((killedAt - started) / 100) / 10,
      deliverSeconds: Math.round(deliverSeconds * 10) / 10,
      deliveriesPerS: Math.round(DELIVERIES / deliverSeconds),
      unacknowledgedAtFirstTry: unacknowledged.length,
      acknowledged: acknowledged.size,
      notProcessedExactlyOnce: notExactlyOnce.length,
      repliesMissing: missingReplies,
      deliveriesWithoutReply: unanswered.length,
      repliesSentTwice: duplicateReplies,
      repliesInFlightOnKilledInstance: sendingAtKill.length,
      deadReplies: dead,
      drainAfterDeliveriesMs: drainMs,
      leaseMs: LEASE_MS,
      consoleEvents,
      consoleSeqGaps: seqGaps,
      consoleResyncs: resyncs,
      consoleQueueMatchesDatabase: same(view, queue),
    });
    expect(acknowledged.size).toBe(DELIVERIES);
    expect(notExactlyOnce).toEqual([]);
    expect(missingReplies).toBe(0);
    expect(unanswered).toEqual([]);
    expect(dead).toBe(0);
    expect(duplicateReplies).toBeLessThanOrEqual(sendingAtKill.length);
    expect(seqGaps).toBe(0);
    expect([...view].sort()).toEqual([...queue].sort());
    chat.ws.close();
    consoleB.close();
  });
});
