import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/core/ports.js';
import { withoutDiskSync } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrate.js';
import { MIGRATIONS } from '../../../src/store/migrations/index.js';
import { closeDatabase, createStore, openDatabase, startCheckpointer } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/config.js';
import { waitFor } from '../../helpers/wait.js';

const schemaOf = (db: Database.Database) =>
  db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();

function clockAt(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const message = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  bot: 'bank-support',
  channel: 'telegram',
  deliveryId: '1001',
  chatId: '42',
  customerName: 'Ann',
  text: 'my card has not arrived',
  ...over,
});

describe('migrations', () => {
  it('opens with WAL, synchronous=FULL and foreign keys on', async () => {
    const db = openDatabase(join(tempDir(), 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    closeDatabase(db);
  });

  it('are idempotent: opening twice changes nothing', async () => {
    const path = join(tempDir(), 'b.db');
    const first = openDatabase(path);
    const before = schemaOf(first);
    closeDatabase(first);
    const second = openDatabase(path);
    expect(schemaOf(second)).toEqual(before);
    closeDatabase(second);
  });

  it('give an upgraded database the same schema as a fresh one, from every older version', async () => {
    const fresh = new Database(':memory:');
    migrate(fresh, MIGRATIONS);
    for (let from = 0; from < MIGRATIONS.length; from++) {
      const old = new Database(':memory:');
      migrate(old, MIGRATIONS, from);
      expect(old.pragma('user_version', { simple: true })).toBe(from);
      migrate(old, MIGRATIONS);
      expect(schemaOf(old)).toEqual(schemaOf(fresh));
    }
  });

  it('refuse a database newer than the code', async () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db, MIGRATIONS)).toThrow(/newer than this build/);
  });
});

describe('inbox', () => {
  it('stores a delivery once and reports a replay as a duplicate', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clockAt());
    const first = await store.inbox.accept(message(), 'process_message');
    expect(first.duplicate).toBe(false);
    expect(first.jobId).toBeGreaterThan(0);
    const replay = await store.inbox.accept(message({ text: 'changed on replay' }), 'process_message');
    expect(replay).toEqual({
      duplicate: true,
      conversationId: first.conversationId,
      messageId: first.messageId,
    });
    const counts = db
      .prepare('SELECT (SELECT COUNT(*) FROM messages) m, (SELECT COUNT(*) FROM jobs) j')
      .get();
    expect(counts).toEqual({ m: 1, j: 1 });
  });

  it('keeps one conversation per chat and reopens a resolved one', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clockAt());
    const a = await store.inbox.accept(message({ deliveryId: '1' }));
    db.prepare("UPDATE conversations SET status = 'resolved'").run();
    const b = await store.inbox.accept(message({ deliveryId: '2' }));
    expect(b.conversationId).toBe(a.conversationId);
    expect(db.prepare('SELECT status FROM conversations').get()).toEqual({ status: 'bot' });
  });

  it('stores nothing when any part of the transaction fails', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clockAt());
    db.exec('CREATE TRIGGER fail_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, "disk full"); END');
    await expect(store.inbox.accept(message(), 'process_message')).rejects.toThrow(/disk full/);
    const rows = db
      .prepare('SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM inbound_deliveries) n')
      .get();
    expect(rows).toEqual({ n: 0 });
  });
});

describe('inbox batches (one commit for several deliveries)', () => {
  it('store each delivery of a batch once, and see a replay within the batch as a duplicate', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clockAt());
    const results = await store.inbox.acceptMany([
      { message: message({ deliveryId: '1' }), jobKind: 'process_message' },
      { message: message({ deliveryId: '2' }) },
      { message: message({ deliveryId: '1', text: 'a replay' }), jobKind: 'process_message' },
    ]);
    expect(results.map((r) => !(r instanceof Error) && r.duplicate)).toEqual([false, false, true]);
    const [first, , replay] = results as Array<{ messageId: number; jobId?: number }>;
    expect(replay!.messageId).toBe(first!.messageId);
    expect(
      db.prepare('SELECT (SELECT COUNT(*) FROM messages) m, (SELECT COUNT(*) FROM jobs) j').get(),
    ).toEqual({ m: 2, j: 1 });
  });

  it('roll back only the delivery that failed, keeping the others of the batch', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, clockAt());
    db.exec(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON messages WHEN NEW.text = 'poison'
       BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    const results = await store.inbox.acceptMany([
      { message: message({ deliveryId: '1' }), jobKind: 'process_message' },
      { message: message({ deliveryId: '2', text: 'poison' }), jobKind: 'process_message' },
      { message: message({ deliveryId: '3' }), jobKind: 'process_message' },
    ]);
    expect(results.map((r) => r instanceof Error)).toEqual([false, true, false]);
    expect(
      db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM messages) m, (SELECT COUNT(*) FROM inbound_deliveries) d,
                  (SELECT COUNT(*) FROM jobs) j`,
        )
        .get(),
    ).toEqual({ m: 2, d: 2, j: 2 });
  });
});

describe('background bookkeeping', () => {
  const level = (db: Database.Database) => db.pragma('synchronous', { simple: true });

  it('commits without a disk sync of its own, then puts the connection back to FULL, even when it throws', async () => {
    const db = openDatabase(join(tempDir(), 'sync.db'));
    expect(withoutDiskSync(db, () => level(db))).toBe(1);
    expect(level(db)).toBe(2);
    expect(() =>
      withoutDiskSync(db, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(level(db)).toBe(2);
    closeDatabase(db);
  });

  it('leaves an enclosing transaction to decide', async () => {
    const db = openDatabase(join(tempDir(), 'sync-tx.db'));
    expect(db.transaction(() => withoutDiskSync(db, () => level(db)))()).toBe(2);
    closeDatabase(db);
  });

  it('never leaves an acknowledged delivery without its sync: the workers’ writes restore FULL', async () => {
    const clock = clockAt();
    const db = openDatabase(join(tempDir(), 'sync-store.db'));
    const store = createStore(db, clock);
    const accepted = await store.inbox.accept(message(), 'process_message');
    const [job] = await store.jobs.claimDue(10);
    await store.jobs.fail(job!.id, 'nets down', clock.now());
    await store.jobs.complete((await store.jobs.claimDue(10))[0]!.id);
    const id = await store.outbox.enqueue({
      channel: 'telegram',
      bot: 'b',
      kind: 'sendMessage',
      payload: {},
    });
    await store.outbox.claimDue(10);
    await store.outbox.markFailed(id, 'HTTP 503', clock.now());
    await store.outbox.claimDue(10);
    await store.outbox.markSent(id);
    expect(accepted.duplicate).toBe(false);
    expect(level(db)).toBe(2);
  });
});

describe('WAL checkpoints', () => {
  it('are made by a worker thread, so no commit has to copy the WAL into the database itself', async () => {
    const path = join(tempDir(), 'ckpt.db');
    const db = openDatabase(path);
    const checkpointer = startCheckpointer(db, { intervalMs: 20 });
    const store = createStore(db, clockAt());
    const before = statSync(path).size;
    // About 2 MB of messages: far under the connection's own threshold (10,000 pages).
    for (let i = 0; i < 400; i++)
      await store.inbox.accept(message({ deliveryId: `c${i}`, text: 'x'.repeat(5000) }));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    await waitFor(
      () => statSync(path).size > before + 1_500_000,
      5000,
      'the WAL copied into the database file',
    );
    await checkpointer.stop();
    closeDatabase(db);
  });
});

describe('outbox and jobs', () => {
  it('retries a failed reply when it is due and dead-letters it when told to', async () => {
    const clock = clockAt();
    const db = openDatabase(':memory:');
    const store = createStore(db, clock);
    const id = await store.outbox.enqueue({
      channel: 'telegram',
      bot: 'b',
      kind: 'sendMessage',
      payload: { chat_id: 1 },
    });
    const [claimed] = await store.outbox.claimDue(10);
    expect(claimed).toMatchObject({ id, attempts: 1, payload: { chat_id: 1 } });
    expect(await store.outbox.claimDue(10)).toEqual([]);
    await store.outbox.markFailed(id, 'HTTP 502', clock.now() + 1000);
    expect(await store.outbox.claimDue(10)).toEqual([]);
    clock.advance(1000);
    expect((await store.outbox.claimDue(10))[0]?.attempts).toBe(2);
    await store.outbox.markFailed(id, 'HTTP 400', null);
    expect(await store.outbox.counts()).toMatchObject({ dead: 1, pending: 0 });
  });

  it('resumes work left in flight by a crash', async () => {
    const path = join(tempDir(), 'c.db');
    const clock = clockAt();
    const beforeDb = openDatabase(path);
    const before = createStore(beforeDb, clock);
    await before.outbox.enqueue({ channel: 'slack', bot: 'b', kind: 'chat.postMessage', payload: {} });
    await before.inbox.accept(message(), 'process_message');
    expect(await before.outbox.claimDue(10)).toHaveLength(1);
    expect(await before.jobs.claimDue(10)).toHaveLength(1);
    beforeDb.close();

    const after = createStore(openDatabase(path), clock);
    expect(await after.outbox.requeueSending()).toBe(1);
    expect(await after.jobs.requeueRunning()).toBe(1);
    expect(await after.outbox.claimDue(10)).toHaveLength(1);
    expect(await after.jobs.claimDue(10)).toHaveLength(1);
  });
});
