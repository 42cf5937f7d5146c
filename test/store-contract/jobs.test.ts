import { expect, it } from 'vitest';
import type { AcceptResult, Job } from '../../src/core/ports.js';
import { type ContractStore, describeEachStore, LEASE_MS } from './engines.js';
import { inbound } from './messages.js';

const accept = async (s: ContractStore, delivery: string, chat: string) =>
  (await s.inbox.accept(inbound(delivery, chat), 'process_message')) as AcceptResult & { jobId: number };

const ids = (jobs: Job[]) => jobs.map((j) => j.id);

describeEachStore('jobs', (t, engine) => {
  it('claims due jobs oldest first, one per conversation at a time, in order', async () => {
    const { store } = t();
    const a1 = await accept(store, '1', '10');
    const a2 = await accept(store, '2', '10');
    const b1 = await accept(store, '3', '20');
    expect(ids(await store.jobs.claimDue(10))).toEqual([a1.jobId, b1.jobId]);
    expect(await store.jobs.claimDue(10)).toEqual([]);
    await store.jobs.complete(a1.jobId);
    const next = await store.jobs.claimDue(10);
    expect(next).toEqual([
      expect.objectContaining({
        id: a2.jobId,
        kind: 'process_message',
        attempts: 1,
        payload: expect.objectContaining({ messageId: a2.messageId }),
      }),
    ]);
  });

  it('retries a failed job when due, keeps its conversation waiting, and lets a dead one go', async () => {
    const { store, clock } = t();
    const a1 = await accept(store, '1', '10');
    const a2 = await accept(store, '2', '10');
    await store.jobs.claimDue(10);
    await store.jobs.fail(a1.jobId, 'nets down', clock.now() + 1000);
    expect(await store.jobs.claimDue(10)).toEqual([]); // a2 waits for a1's retry
    clock.advance(1000);
    const retry = await store.jobs.claimDue(10);
    expect(retry).toEqual([expect.objectContaining({ id: a1.jobId, attempts: 2 })]);
    await store.jobs.fail(a1.jobId, 'still down', null); // dead: no retry
    expect(ids(await store.jobs.claimDue(10))).toEqual([a2.jobId]);
    expect(await store.jobs.claimDue(10)).toEqual([]);
  });

  it('claims one pending job by id, whatever its due time, and only once', async () => {
    const { store, clock } = t();
    const a1 = await accept(store, '1', '10');
    await store.jobs.claimDue(1);
    await store.jobs.fail(a1.jobId, 'later', clock.now() + 60_000);
    expect(await store.jobs.claim(a1.jobId)).toEqual(expect.objectContaining({ id: a1.jobId, attempts: 2 }));
    expect(await store.jobs.claim(a1.jobId)).toBeUndefined();
    await store.jobs.complete(a1.jobId);
    expect(await store.jobs.claim(a1.jobId)).toBeUndefined();
  });

  it('holds a claimed job from another instance until its lease passes', async () => {
    const { store, other, clock } = t();
    const a = await accept(store, '1', '10');
    expect(ids(await store.jobs.claimDue(10))).toEqual([a.jobId]); // instance 1
    expect(await other.jobs.claimDue(10)).toEqual([]);
    clock.advance(LEASE_MS - 1);
    expect(await other.jobs.claimDue(10)).toEqual([]);
    clock.advance(1);
    if (engine.leases) {
      // Instance 1 is presumed dead: instance 2 takes the job over, counting the attempt.
      expect(await other.jobs.claimDue(10)).toEqual([expect.objectContaining({ id: a.jobId, attempts: 2 })]);
      expect(await store.jobs.claimDue(10)).toEqual([]);
      // Instance 1's late failure does not put back a job instance 2 now holds.
      await store.jobs.fail(a.jobId, 'late', clock.now());
      expect(await store.jobs.claimDue(10)).toEqual([]);
      await other.jobs.complete(a.jobId);
      clock.advance(LEASE_MS);
      expect(await other.jobs.claimDue(10)).toEqual([]);
    } else {
      // One SQLite instance: a running job stays its own until the restart requeues it.
      expect(await other.jobs.claimDue(10)).toEqual([]);
    }
  });

  it('requeues at start the jobs a dead instance left running', async () => {
    const { store, other, clock } = t();
    const a = await accept(store, '1', '10');
    await store.jobs.claimDue(10);
    if (engine.leases) {
      expect(await other.jobs.requeueRunning()).toBe(0); // instance 1 is alive: its lease holds
      clock.advance(LEASE_MS);
    }
    expect(await other.jobs.requeueRunning()).toBe(1);
    expect(await other.jobs.claimDue(10)).toEqual([expect.objectContaining({ id: a.jobId, attempts: 2 })]);
  });

  it('never gives two concurrent claimers the same job, nor two jobs of one conversation', async () => {
    const { store, other, count } = t();
    const chats = 25;
    const perChat = 4;
    const entries = Array.from({ length: chats * perChat }, (_, i) => ({
      message: inbound(`d${i}`, String(i % chats)),
      jobKind: 'process_message',
    }));
    await store.inbox.acceptMany(entries);
    const total = await count('jobs');
    expect(total).toBe(chats * perChat);
    const claimed: number[] = [];
    const holding = new Set<number>();
    const order = new Map<number, number[]>();
    const overlaps: number[] = [];
    const worker = async (s: ContractStore) => {
      let idle = 0;
      while (claimed.length < total && idle < 200) {
        const jobs = await s.jobs.claimDue(3);
        if (jobs.length === 0) {
          idle++;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        idle = 0;
        for (const j of jobs) {
          const conv = (j.payload as { conversationId: number }).conversationId;
          if (holding.has(conv)) overlaps.push(conv);
          holding.add(conv);
          claimed.push(j.id);
          order.set(conv, [...(order.get(conv) ?? []), j.id]);
        }
        await new Promise((r) => setImmediate(r));
        for (const j of jobs) {
          holding.delete((j.payload as { conversationId: number }).conversationId);
          await s.jobs.complete(j.id);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i % 2 ? other : store)));
    expect(overlaps).toEqual([]);
    expect(claimed).toHaveLength(total);
    expect(new Set(claimed).size).toBe(total);
    for (const seq of order.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b));
  });
});
