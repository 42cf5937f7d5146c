import { describe, expect, it } from 'vitest';
// @ts-expect-error: the console page's module is plain JS checked by tsconfig.console.json.
import { filterQueue, slaState, sortQueue } from '../../../src/console/public/queue-view.js';

const item = (id: number, o: Record<string, unknown> = {}) => ({
  conversationId: id,
  bot: 'bank-support',
  channel: 'telegram',
  customer: { id: String(id), name: null },
  firstLine: '',
  lastLine: '',
  category: 'card_arrival',
  confidence: 0.5,
  status: 'queued',
  queue: 'cards',
  assignedTo: null,
  waitingSince: 1_000,
  language: 'en',
  sensitive: false,
  slaDueAt: null,
  ...o,
});

describe('console queue order and views', () => {
  it('puts sensitive categories first, then the nearest SLA deadline, then the longest wait, whatever the confidence', () => {
    const sorted = sortQueue([
      item(1, { confidence: 0.03, waitingSince: 100 }),
      item(2, { sensitive: true, confidence: 0.95, waitingSince: 5_000 }),
      item(3, { slaDueAt: 50_000, waitingSince: 3_000 }),
      item(4, { slaDueAt: 20_000, waitingSince: 4_000 }),
    ]);
    expect(sorted.map((q: { conversationId: number }) => q.conversationId)).toEqual([2, 4, 3, 1]);
  });

  it('shows mine, unassigned or all, within a queue and a channel', () => {
    const items = [
      item(1, { assignedTo: 'ann' }),
      item(2, { assignedTo: 'bob', queue: 'security' }),
      item(3, { channel: 'slack' }),
    ];
    const ids = (f: Record<string, string>) =>
      filterQueue(items, { view: 'all', queue: '', channel: '', me: 'ann', ...f }).map(
        (q: { conversationId: number }) => q.conversationId,
      );
    expect(ids({ view: 'mine' })).toEqual([1]);
    expect(ids({ view: 'unassigned' })).toEqual([3]);
    expect(ids({ queue: 'security' })).toEqual([2]);
    expect(ids({ channel: 'slack' })).toEqual([3]);
  });

  it('turns amber at half the SLA, red at four fifths, and says when it is breached', () => {
    const q = item(1, { waitingSince: 0, slaDueAt: 100 });
    expect([10, 50, 80, 100].map((now) => slaState(q, now))).toEqual(['ok', 'warn', 'risk', 'breached']);
    expect(slaState(item(2), 1e12)).toBe('ok');
  });
});
