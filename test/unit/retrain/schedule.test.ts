import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { type ClusterLock, InProcessClusterLock } from '../../../src/core/cluster-lock.js';
import { createLogger } from '../../../src/logger.js';
import { nextCronTime, parseCron } from '../../../src/retraining/cron.js';
import { RetrainScheduler, retrainJobs } from '../../../src/retraining/scheduler.js';
import { LockHeldError, RunLock } from '../../../training/retrain/lock.js';
import { tempDir } from '../../helpers/config.js';

const at = (s: string) => new Date(s);
const next = (expr: string, from: string) => nextCronTime(parseCron(expr), at(from))?.toString();

describe('cron expressions', () => {
  it('finds the next matching minute for common schedules', () => {
    expect(next('30 3 * * *', '2026-03-10T02:00:00')).toBe(at('2026-03-10T03:30:00').toString());
    expect(next('30 3 * * *', '2026-03-10T03:30:00')).toBe(at('2026-03-11T03:30:00').toString());
    expect(next('*/15 * * * *', '2026-03-10T10:07:30')).toBe(at('2026-03-10T10:15:00').toString());
    expect(next('0 2 * * 0', '2026-03-10T12:00:00')).toBe(at('2026-03-15T02:00:00').toString()); // a Sunday
    expect(next('0 2 * * 7', '2026-03-10T12:00:00')).toBe(at('2026-03-15T02:00:00').toString());
    expect(next('0 0 1 1,7 *', '2026-03-10T12:00:00')).toBe(at('2026-07-01T00:00:00').toString());
    expect(next('0 9-17/4 * * 1-5', '2026-03-13T14:00:00')).toBe(at('2026-03-13T17:00:00').toString());
    expect(next('0 9-17/4 * * 1-5', '2026-03-13T18:00:00')).toBe(at('2026-03-16T09:00:00').toString()); // Fri → Mon
  });

  it('matches either day field when both are restricted, as cron does', () => {
    // The 13th, or any Friday: Friday 2026-03-13 is both; after it, Friday the 20th comes first.
    expect(next('0 0 13 * 5', '2026-03-13T00:00:00')).toBe(at('2026-03-20T00:00:00').toString());
  });

  it('names the bad field of an invalid expression', () => {
    expect(() => parseCron('61 * * * *')).toThrow(/minute field "61"/);
    expect(() => parseCron('0 3 * *')).toThrow(/expected 5 fields/);
    expect(() => parseCron('0 3 * * mon')).toThrow(/day of week field "mon"/);
    expect(nextCronTime(parseCron('0 0 31 2 *'), at('2026-01-01T00:00:00'))).toBeNull();
  });

  it('stops the start when NEURODESK_RETRAIN_SCHEDULE is not a cron expression', () => {
    expect(() => loadConfig({ NEURODESK_RETRAIN_SCHEDULE: 'nightly' })).toThrow(
      /NEURODESK_RETRAIN_SCHEDULE: expected a cron expression such as "30 3 \* \* \*": expected 5 fields/,
    );
    expect(loadConfig({ NEURODESK_RETRAIN_SCHEDULE: '30 3 * * *' }).retrain.schedule).toBe('30 3 * * *');
    expect(loadConfig({}).retrain).toEqual({
      schedule: null,
      heldOutFraction: 0.2,
      gate: { confidence: 0.95, macroF1Tolerance: null, maxCategoryDrop: null, minCategorySupport: 10 },
    });
    // The hard floors: off when unset, empty or "off"; a number of points otherwise.
    expect(loadConfig({ NEURODESK_RETRAIN_F1_TOLERANCE: '' }).retrain.gate.macroF1Tolerance).toBeNull();
    expect(
      loadConfig({ NEURODESK_RETRAIN_MAX_CATEGORY_DROP: 'off' }).retrain.gate.maxCategoryDrop,
    ).toBeNull();
    expect(loadConfig({ NEURODESK_RETRAIN_F1_TOLERANCE: '1.5' }).retrain.gate.macroF1Tolerance).toBe(1.5);
    expect(() => loadConfig({ NEURODESK_RETRAIN_F1_TOLERANCE: 'lots' })).toThrow(
      /NEURODESK_RETRAIN_F1_TOLERANCE: expected off or a number from 0 to 100/,
    );
    expect(() => loadConfig({ NEURODESK_RETRAIN_CONFIDENCE: '1.5' })).toThrow(/NEURODESK_RETRAIN_CONFIDENCE/);
    expect(() => loadConfig({ NEURODESK_RETRAIN_HELD_OUT: '0.9' })).toThrow(
      /NEURODESK_RETRAIN_HELD_OUT: expected a number from 0 to 0.5/,
    );
  });
});

describe('the in-process retraining schedule', () => {
  function harness(expr: string, lock?: ClusterLock) {
    let clock = at('2026-03-10T03:29:00').getTime();
    const timers: Array<{ fn: () => void; due: number }> = [];
    const started: string[] = [];
    const finishes: Array<() => void> = [];
    const scheduler = new RetrainScheduler({
      schedule: parseCron(expr),
      jobs: () => [
        { bot: 'desk', kind: 'classifier' },
        { bot: 'desk', kind: 'qa' },
        { bot: 'shop', kind: 'classifier' },
      ],
      logger: createLogger('silent'),
      lock,
      now: () => new Date(clock),
      setTimer: (fn, ms) => {
        const t = { fn, due: clock + ms };
        timers.push(t);
        return t;
      },
      clearTimer: (t) => timers.splice(timers.indexOf(t as never), 1),
      start: (job) => {
        started.push(`${job.bot} ${job.kind}`);
        let stop = () => {};
        const done = new Promise<number>((resolve) => {
          finishes.push(() => resolve(0));
          stop = () => resolve(130);
        });
        return { done, stop: () => stop() };
      },
    });
    const advance = async (ms: number) => {
      clock += ms;
      const due = timers.filter((x) => x.due <= clock);
      for (const t of due) timers.splice(timers.indexOf(t), 1);
      for (const t of due) t.fn();
      await new Promise((r) => setImmediate(r));
    };
    return { scheduler, started, finishes, advance, timers };
  }

  it('retrains the classifier and the Q/A net of every bot, one run after the other, at the scheduled time', async () => {
    const h = harness('30 3 * * *');
    h.scheduler.start();
    await h.advance(30_000);
    expect(h.started).toEqual([]);
    await h.advance(30_000);
    expect(h.started).toEqual(['desk classifier']);
    h.finishes.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(h.started).toEqual(['desk classifier', 'desk qa']);
    h.finishes.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(h.started).toEqual(['desk classifier', 'desk qa', 'shop classifier']);
    h.scheduler.stop();
  });

  it("takes the runs from the bot files: both nets by default, a bot's retrain.nets otherwise", () => {
    const bot = (name: string, nets?: Array<'classifier' | 'qa'>) => ({
      name,
      config: nets ? { retrain: { nets } } : {},
    });
    expect(retrainJobs([bot('desk'), bot('shop', ['qa']), bot('quiet', [])])).toEqual([
      { bot: 'desk', kind: 'classifier' },
      { bot: 'desk', kind: 'qa' },
      { bot: 'shop', kind: 'qa' },
    ]);
  });

  it('runs a tick on one instance of a cluster: the others, on the same schedule, skip it', async () => {
    // One lock shared by two schedulers, as instances share PostgreSQL's advisory locks.
    const lock = new InProcessClusterLock();
    const a = harness('30 3 * * *', lock);
    const b = harness('30 3 * * *', lock);
    a.scheduler.start();
    b.scheduler.start();
    await a.advance(60_000);
    await b.advance(60_000);
    expect(a.started).toEqual(['desk classifier']);
    expect(b.started).toEqual([]);
    for (let i = 0; i < 3; i++) {
      a.finishes.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(a.started).toHaveLength(3);
    // The next day's tick finds the lock free again.
    await b.advance(24 * 3_600_000);
    expect(b.started).toEqual(['desk classifier']);
    a.scheduler.stop();
    b.scheduler.stop();
  });

  it('skips a tick while the previous runs are still going, and stops a run on shutdown', async () => {
    const h = harness('* * * * *');
    h.scheduler.start();
    await h.advance(60_000);
    expect(h.started).toEqual(['desk classifier']);
    await h.advance(60_000);
    expect(h.started).toEqual(['desk classifier']);
    h.scheduler.stop();
    await new Promise((r) => setImmediate(r));
    expect(h.started).toEqual(['desk classifier']);
    expect(h.timers).toEqual([]);
  });
});

describe('the run lock', () => {
  it('is exclusive while its holder lives and is released by it', () => {
    const path = join(tempDir(), 'retrain.lock');
    const lock = RunLock.acquire(path, 'first');
    expect(() => RunLock.acquire(path, 'second')).toThrow(LockHeldError);
    lock.release();
    RunLock.acquire(path, 'third').release();
  });

  it('takes over a lock left by a process that died', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'retrain.lock');
    RunLock.acquire(path, 'crashed run');
    // The holder is gone (as after a kill -9): its pid is no longer alive.
    const lock = RunLock.acquire(path, 'next run', { alive: () => false });
    expect(() => RunLock.acquire(path, 'third', { alive: () => true })).toThrow(/next run/);
    lock.release();
  });

  it('refuses a lock file it cannot read until it is a minute old', () => {
    const path = join(tempDir(), 'retrain.lock');
    writeFileSync(path, '');
    expect(() => RunLock.acquire(path, 'run')).toThrow(LockHeldError);
  });
});
