import { expect, it } from 'vitest';
import { describeEachStore } from './engines.js';

const run = (bot = 'desk', kind: 'classifier' | 'qa' = 'classifier') => ({
  kind,
  bot,
  netName: `${bot}-${kind}`,
  oldVersion: 'v1',
  options: { epochs: 3 },
});

describeEachStore('training runs', (t) => {
  it('records a run as running with its options, then stores how it ended', async () => {
    const { store, clock } = t();
    const id = await store.trainingRuns.start(run());
    const started = await store.trainingRuns.get(id);
    expect(started).toMatchObject({
      id,
      kind: 'classifier',
      bot: 'desk',
      netName: 'desk-classifier',
      status: 'running',
      oldVersion: 'v1',
      newVersion: null,
      reasons: [],
      options: { epochs: 3 },
      data: null,
      metrics: null,
      startedAt: clock.t,
      finishedAt: null,
    });
    clock.t += 60_000;
    await store.trainingRuns.finish(id, {
      status: 'promoted',
      newVersion: 'v2',
      reasons: ['macro-F1 rose by 0.04'],
      data: { train: 1200 },
      metrics: { heldOut: { old: 0.81, new: 0.85 } },
      reportPath: 'reports/run-1.html',
    });
    expect(await store.trainingRuns.get(id)).toMatchObject({
      status: 'promoted',
      newVersion: 'v2',
      reasons: ['macro-F1 rose by 0.04'],
      data: { train: 1200 },
      metrics: { heldOut: { old: 0.81, new: 0.85 } },
      reportPath: 'reports/run-1.html',
      error: null,
      finishedAt: clock.t,
    });
    expect(await store.trainingRuns.get(id + 100)).toBeUndefined();
  });

  it('ends a run once: a second finish changes nothing', async () => {
    const { store, clock } = t();
    const id = await store.trainingRuns.start(run());
    await store.trainingRuns.finish(id, { status: 'refused', reasons: ['worse on held-out'] });
    const first = await store.trainingRuns.get(id);
    clock.t += 1000;
    await store.trainingRuns.finish(id, { status: 'promoted', newVersion: 'v9' });
    expect(await store.trainingRuns.get(id)).toEqual(first);
  });

  it('marks runs a dead process left running as failed, and only those', async () => {
    const { store } = t();
    const dead = await store.trainingRuns.start(run());
    const done = await store.trainingRuns.start(run('shop'));
    await store.trainingRuns.finish(done, { status: 'dry_run' });
    expect(await store.trainingRuns.abandonInterrupted()).toBe(1);
    expect(await store.trainingRuns.get(dead)).toMatchObject({
      status: 'failed',
      error: 'interrupted: the process ended before the run finished',
    });
    expect((await store.trainingRuns.get(done))!.status).toBe('dry_run');
    expect(await store.trainingRuns.abandonInterrupted()).toBe(0);
    // The abandoned run cannot be finished afterwards by a late writer.
    await store.trainingRuns.finish(dead, { status: 'promoted', newVersion: 'v2' });
    expect((await store.trainingRuns.get(dead))!.status).toBe('failed');
  });

  it('lists runs newest first, by bot and kind, a page before an id', async () => {
    const { store } = t();
    const ids: number[] = [];
    for (const [bot, kind] of [
      ['desk', 'classifier'],
      ['desk', 'qa'],
      ['shop', 'classifier'],
      ['desk', 'classifier'],
    ] as const)
      ids.push(await store.trainingRuns.start(run(bot, kind)));
    expect((await store.trainingRuns.list({ limit: 10 })).map((r) => r.id)).toEqual([...ids].reverse());
    expect((await store.trainingRuns.list({ limit: 10, bot: 'desk' })).map((r) => r.id)).toEqual([
      ids[3],
      ids[1],
      ids[0],
    ]);
    expect(
      (await store.trainingRuns.list({ limit: 10, bot: 'desk', kind: 'classifier' })).map((r) => r.id),
    ).toEqual([ids[3], ids[0]]);
    expect((await store.trainingRuns.list({ limit: 2, before: ids[3] })).map((r) => r.id)).toEqual([
      ids[2],
      ids[1],
    ]);
  });

  it('finds the newest run that wrote a report', async () => {
    const { store } = t();
    expect(await store.trainingRuns.latestWithReport()).toBeUndefined();
    const a = await store.trainingRuns.start(run());
    await store.trainingRuns.finish(a, { status: 'promoted', reportPath: 'reports/a.html' });
    const b = await store.trainingRuns.start(run());
    await store.trainingRuns.finish(b, { status: 'failed', error: 'out of memory' });
    expect((await store.trainingRuns.latestWithReport())!.id).toBe(a);
  });
});
