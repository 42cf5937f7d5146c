import type { Clock } from '../../../core/ports.js';
import type {
  KbAnswer,
  KbAnswerPatch,
  KbListQuery,
  KbSnapshotRow,
  KnowledgeBaseStore,
  NewKbAnswer,
} from '../../../kb/types.js';
import { type PgPool, type PgQueryable, withTransaction } from '../db.js';

interface Row {
  id: number;
  kb: string;
  text: string;
  category: string | null;
  language: string;
  active: number | boolean;
  usage_count: number;
  revision: number;
  created_at: number;
  updated_at: number;
}

const toAnswer = (r: Row): KbAnswer => ({
  id: r.id,
  kb: r.kb,
  text: r.text,
  category: r.category,
  language: r.language,
  active: r.active === 1 || r.active === true,
  usageCount: r.usage_count,
  revision: r.revision,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * An answer's uses: the folded count plus the uses appended since (`kb_answer_uses`, see
 * migration 009), so counting a use never waits on the answer's row.
 */
export const USAGE_COUNT =
  '(kb_answers.usage_count + COALESCE((SELECT SUM(u.uses) FROM kb_answer_uses u WHERE u.answer_id = kb_answers.id), 0))::int';
const COLUMNS = `id, kb, text, category, language, active, ${USAGE_COUNT} AS usage_count, revision, created_at, updated_at`;

/**
 * Folds the appended uses into the answers' counts (one statement; what readers see does not
 * change). Uses of answers deleted meanwhile are dropped. Returns how many use rows it folded.
 */
export async function foldKbUsage(pool: PgPool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `WITH moved AS (DELETE FROM kb_answer_uses RETURNING answer_id, uses),
     sums AS (SELECT answer_id, SUM(uses)::int AS uses, COUNT(*)::int AS n FROM moved GROUP BY answer_id),
     folded AS (UPDATE kb_answers a SET usage_count = a.usage_count + sums.uses FROM sums WHERE a.id = sums.answer_id)
     SELECT COALESCE(SUM(n), 0)::int AS n FROM sums`,
  );
  return rows[0]?.n ?? 0;
}

/** The knowledge bases' answers in PostgreSQL (`kb_answers`), as the SQLite store keeps them. */
export class PgKnowledgeBase implements KnowledgeBaseStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Stores answers in one statement (all or none); returns them with their ids, in the given order. */
  async insertMany(rows: readonly NewKbAnswer[]): Promise<KbAnswer[]> {
    return this.insertRows(this.pool, rows);
  }

  /**
   * Stores `rows` only while `kb` has no answers. Gateways starting together on one database
   * take turns on a transaction-scoped advisory lock named after the knowledge base, so only
   * the first seeds it.
   */
  async insertIfEmpty(kb: string, rows: readonly NewKbAnswer[]): Promise<KbAnswer[]> {
    return withTransaction(this.pool, async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('neurodesk:kb-seed:' || $1, 0))`, [kb]);
      const { rows: found } = await db.query('SELECT 1 FROM kb_answers WHERE kb = $1 LIMIT 1', [kb]);
      return found.length > 0 ? [] : this.insertRows(db, rows);
    });
  }

  private async insertRows(db: PgQueryable, rows: readonly NewKbAnswer[]): Promise<KbAnswer[]> {
    if (rows.length === 0) return [];
    const now = this.clock.now();
    // Identity values follow the SELECT's order, so sorting by id gives back the input order.
    const { rows: stored } = await db.query<Row>(
      `INSERT INTO kb_answers (kb, text, category, language, active, usage_count, revision, created_at, updated_at)
       SELECT kb, text, category, language, active, 0, 1, $6, $6
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) WITH ORDINALITY
         AS r (kb, text, category, language, active, n)
       ORDER BY n
       RETURNING ${COLUMNS}`,
      [
        rows.map((r) => r.kb),
        rows.map((r) => r.text),
        rows.map((r) => r.category),
        rows.map((r) => r.language),
        rows.map((r) => (r.active ? 1 : 0)),
        now,
      ],
    );
    return stored.map(toAnswer).sort((a, b) => a.id - b.id);
  }

  /** One answer by id. */
  async get(id: number): Promise<KbAnswer | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM kb_answers WHERE id = $1`, [id]);
    return rows[0] && toAnswer(rows[0]);
  }

  /** Changes an answer; the revision moves only when its text changes. */
  async update(id: number, patch: KbAnswerPatch): Promise<KbAnswer | undefined> {
    return withTransaction(this.pool, async (db) => {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM kb_answers WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      const current = rows[0];
      if (!current) return undefined;
      const text = patch.text ?? current.text;
      const active = patch.active ?? (current.active === 1 || current.active === true);
      const { rows: updated } = await db.query<Row>(
        `UPDATE kb_answers SET text = $2, category = $3, language = $4, active = $5,
           revision = revision + $6, updated_at = $7 WHERE id = $1
         RETURNING ${COLUMNS}`,
        [
          id,
          text,
          patch.category === undefined ? current.category : patch.category,
          patch.language ?? current.language,
          active ? 1 : 0,
          text === current.text ? 0 : 1,
          this.clock.now(),
        ],
      );
      return toAnswer(updated[0]!);
    });
  }

  /** Deletes an answer; `referenced` when operators' actions name it (it stays). */
  async delete(id: number): Promise<'deleted' | 'missing' | 'referenced'> {
    return withTransaction(this.pool, async (db) => {
      const { rows } = await db.query('SELECT 1 FROM kb_answers WHERE id = $1 FOR UPDATE', [id]);
      if (rows.length === 0) return 'missing' as const;
      const refs = await db.query('SELECT 1 FROM operator_actions WHERE answer_id = $1 LIMIT 1', [id]);
      if (refs.rows.length > 0) return 'referenced' as const;
      await db.query('DELETE FROM kb_answers WHERE id = $1', [id]);
      await db.query('DELETE FROM kb_answer_uses WHERE answer_id = $1', [id]);
      return 'deleted' as const;
    });
  }

  /** A page of a knowledge base's answers, oldest first, with the total matching. */
  async list(q: KbListQuery): Promise<{ answers: KbAnswer[]; total: number }> {
    const params: unknown[] = [q.kb];
    const where = ['kb = $1'];
    if (q.active !== undefined) {
      params.push(q.active ? 1 : 0);
      where.push(`active = $${params.length}`);
    }
    if (q.category !== undefined) {
      params.push(q.category);
      where.push(`category IS NOT DISTINCT FROM $${params.length}::text`);
    }
    if (q.language !== undefined) {
      params.push(q.language);
      where.push(`language = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const db = this.pool;
    const total = await db.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM kb_answers WHERE ${clause}`,
      params,
    );
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM kb_answers WHERE ${clause} ORDER BY id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { answers: rows.map(toAnswer), total: total.rows[0]!.n };
  }

  /** How many answers a knowledge base holds (active or not). */
  async count(kb: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT COUNT(*)::int AS n FROM kb_answers WHERE kb = $1',
      [kb],
    );
    return rows[0]!.n;
  }

  /** What the answer index compares with: each active answer's id, text revision and category. */
  async snapshot(kb: string): Promise<KbSnapshotRow[]> {
    const { rows } = await this.pool.query<KbSnapshotRow>(
      'SELECT id, revision, category, language FROM kb_answers WHERE kb = $1 AND active = 1 ORDER BY id',
      [kb],
    );
    return rows;
  }

  /** Answers by id (missing ids are left out). */
  async getMany(ids: readonly number[]): Promise<KbAnswer[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM kb_answers WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    return rows.map(toAnswer);
  }

  /** The knowledge bases that hold answers. */
  async knowledgeBases(): Promise<string[]> {
    const { rows } = await this.pool.query<{ kb: string }>('SELECT DISTINCT kb FROM kb_answers ORDER BY kb');
    return rows.map((r) => r.kb);
  }
}
