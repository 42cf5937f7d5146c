import { describe, expect, it } from 'vitest';
import { type GatewayEvent, InProcessEventBus } from '../../../src/core/events.js';
import { Intake, PROCESS_MESSAGE } from '../../../src/core/intake.js';
import type { AcceptResult, InboundMessage, Inbox, InboxEntry } from '../../../src/core/ports.js';

const message = (deliveryId: string): InboundMessage => ({
  bot: 'bank-support',
  channel: 'telegram',
  deliveryId,
  chatId: '42',
  text: 'my card has not arrived',
});

/** An inbox that records each commit and answers from `answer`. */
function recordingInbox(
  answer: (e: InboxEntry, i: number) => AcceptResult | Error = (_e, i) => ({
    duplicate: false,
    conversationId: 1,
    messageId: i + 1,
  }),
) {
  const commits: InboxEntry[][] = [];
  const inbox: Inbox = {
    accept: async () => {
      throw new Error('deliveries go through acceptMany');
    },
    acceptMany: async (entries) => {
      commits.push([...entries]);
      return entries.map(answer);
    },
  };
  return { inbox, commits };
}

describe('intake (group commit)', () => {
  it('commits the deliveries handed in on the same turn together, and answers each with its own result', async () => {
    const { inbox, commits } = recordingInbox();
    const events = new InProcessEventBus();
    const seen: GatewayEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const intake = new Intake(inbox, events);
    const results = await Promise.all(['1', '2', '3'].map((id) => intake.accept(message(id))));
    expect(commits).toHaveLength(1);
    expect(commits[0]!.map((e) => [e.message.deliveryId, e.jobKind])).toEqual([
      ['1', PROCESS_MESSAGE],
      ['2', PROCESS_MESSAGE],
      ['3', PROCESS_MESSAGE],
    ]);
    expect(results.map((r) => r.messageId)).toEqual([1, 2, 3]);
    expect(seen.map((e) => e.type === 'message.received' && e.messageId)).toEqual([1, 2, 3]);
  });

  it('commits again for deliveries handed in after a commit', async () => {
    const { inbox, commits } = recordingInbox();
    const intake = new Intake(inbox, new InProcessEventBus());
    await intake.accept(message('1'));
    await intake.record(message('2'));
    expect(commits.map((c) => c.length)).toEqual([1, 1]);
    expect(commits[1]![0]!.jobKind).toBeUndefined();
  });

  it('fails only the delivery whose part of the commit failed', async () => {
    const { inbox } = recordingInbox((e, i) =>
      e.message.deliveryId === '2'
        ? new Error('constraint failed')
        : { duplicate: false, conversationId: 1, messageId: i + 1 },
    );
    const intake = new Intake(inbox, new InProcessEventBus());
    const outcomes = await Promise.allSettled(['1', '2', '3'].map((id) => intake.accept(message(id))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails every delivery of a commit that could not happen (a locked database), announcing none', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const inbox: Inbox = {
      accept: () => {
        throw busy;
      },
      acceptMany: () => {
        throw busy;
      },
    };
    const events = new InProcessEventBus();
    const seen: GatewayEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const intake = new Intake(inbox, events);
    const outcomes = await Promise.allSettled(['1', '2'].map((id) => intake.accept(message(id))));
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as { code: string }).code)).toEqual([
      'SQLITE_BUSY',
      'SQLITE_BUSY',
    ]);
    expect(seen).toEqual([]);
  });

  it('announces a replayed delivery never again', async () => {
    const { inbox } = recordingInbox(() => ({ duplicate: true, conversationId: 1, messageId: 7 }));
    const events = new InProcessEventBus();
    const seen: GatewayEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const r = await new Intake(inbox, events).accept(message('1'));
    expect(r).toEqual({ duplicate: true, conversationId: 1, messageId: 7 });
    expect(seen).toEqual([]);
  });
});

describe('intake on a database server (several commits at once)', () => {
  /** An inbox whose commits stay open until the test lets them finish. */
  function heldInbox() {
    const open: Array<{ entries: InboxEntry[]; finish: () => void }> = [];
    const inbox: Inbox = {
      accept: () => Promise.reject(new Error('deliveries go through acceptMany')),
      acceptMany: (entries) =>
        new Promise((resolve) => {
          open.push({
            entries: [...entries],
            finish: () =>
              resolve(entries.map((_e, i) => ({ duplicate: false, conversationId: 1, messageId: i + 1 }))),
          });
        }),
    };
    return { inbox, open };
  }
  const turn = () => new Promise((r) => setImmediate(r));

  it('waits for the commit in flight with one commit at a time (SQLite), and starts the next at once with two', async () => {
    for (const [concurrentCommits, expected] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const { inbox, open } = heldInbox();
      const intake = new Intake(inbox, new InProcessEventBus(), { concurrentCommits });
      const first = intake.accept(message('1'));
      await turn();
      const second = intake.accept(message('2'));
      await turn();
      expect(open).toHaveLength(expected);
      open[0]!.finish();
      await first;
      await turn();
      expect(open).toHaveLength(2);
      open[1]!.finish();
      expect((await second).messageId).toBe(1);
    }
  });
});
