import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closePostgres,
  openPostgres,
  type PgPool,
  withTransaction,
} from '../../../src/store/postgres/index.js';
import { foldKbUsage, PgKnowledgeBase } from '../../../src/store/postgres/repositories/kb-answers.js';
import { usePostgresDatabase } from '../../helpers/postgres.js';

const db = usePostgresDatabase();
const clock = { now: () => 1_700_000_000_000 };

/**
 * Two instances' jobs auto-replying with the same KB answer used to wait for each other on
 * the answer's row (the usage count was updated inside each job's transaction).
 */
describe.skipIf(!db.available)('KB usage counts on PostgreSQL', () => {
  let pool: PgPool;
  let kb: PgKnowledgeBase;
  beforeAll(async () => {
    pool = await openPostgres(db.url(), { poolSize: 4 });
    kb = new PgKnowledgeBase(pool, clock);
  });
  afterAll(async () => {
    await closePostgres(pool);
  });

  async function messageIds(n: number): Promise<number[]> {
    const { rows } = await pool.query<{ id: number }>(
      `WITH c AS (INSERT INTO conversations (bot, channel, external_chat_id, created_at, updated_at)
         VALUES ('desk', 'telegram', md5(random()::text), 1, 1) RETURNING id)
       INSERT INTO messages (conversation_id, direction, author, channel, text, created_at)
       SELECT c.id, 'in', 'customer', 'telegram', 'q', 1 FROM c, generate_series(1, $1) RETURNING id`,
      [n],
    );
    return rows.map((r) => r.id);
  }

  const decide = (messageId: number, answerId: number): [string, unknown[]] => [
    `INSERT INTO decisions (message_id, action, reason, suggestions, reply_text, language, created_at)
     VALUES ($1, 'auto_reply', 'kb', $2, 'Your card is on its way.', 'en', 1)`,
    [messageId, JSON.stringify([{ answerId, text: 'Your card is on its way.', score: 0.9 }])],
  ];

  it('counts two uses of one answer from open transactions without one waiting for the other', async () => {
    const [answer] = await kb.insertMany([
      { kb: 'desk', text: 'Your card is on its way.', category: null, language: 'en', active: true },
    ]);
    const [m1, m2] = await messageIds(2);
    const first = await pool.connect();
    try {
      await first.query('BEGIN');
      await first.query(...decide(m1!, answer!.id));
      // The first job's transaction is still open: the second must not wait for it.
      await withTransaction(pool, async (c) => {
        await c.query("SET LOCAL lock_timeout = '500ms'");
        await c.query(...decide(m2!, answer!.id));
      });
      await first.query('COMMIT');
    } finally {
      first.release();
    }
    expect((await kb.get(answer!.id))!.usageCount).toBe(2);
    // Folding the appended uses into the answer's count changes nothing a reader sees.
    expect(await foldKbUsage(pool)).toBe(2);
    expect((await kb.get(answer!.id))!.usageCount).toBe(2);
    const [m3] = await messageIds(1);
    await pool.query(...decide(m3!, answer!.id));
    expect((await kb.get(answer!.id))!.usageCount).toBe(3);
    expect((await kb.list({ kb: 'desk', limit: 10, offset: 0 })).answers[0]!.usageCount).toBe(3);
  });
});
