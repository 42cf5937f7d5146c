import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import type {
  KbAnswer,
  KbAnswerPatch,
  KbListQuery,
  KbSnapshotRow,
  KnowledgeBaseStore,
  NewKbAnswer,
} from '../../kb/types.js';

interface Row {
  id: number;
  kb: string;
  text: string;
  category: string | null;
  language: string;
  active: number;
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
  active: r.active === 1,
  usageCount: r.usage_count,
  revision: r.revision,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The knowledge bases' answers in SQLite (`kb_answers`). */
export class SqliteKnowledgeBase implements KnowledgeBaseStore {
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO kb_answers (kb, text, category, language, active, usage_count, revision, created_at, updated_at)
         VALUES (@kb, @text, @category, @language, @active, 0, 1, @now, @now)`,
      ),
      get: db.prepare<[number], Row>('SELECT * FROM kb_answers WHERE id = ?'),
      update: db.prepare(
        `UPDATE kb_answers SET text = @text, category = @category, language = @language, active = @active,
           revision = revision + @textChanged, updated_at = @now WHERE id = @id`,
      ),
      delete: db.prepare<[number]>('DELETE FROM kb_answers WHERE id = ?'),
      references: db.prepare<[number], { n: number }>(
        'SELECT COUNT(*) AS n FROM operator_actions WHERE answer_id = ?',
      ),
      count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM kb_answers WHERE kb = ?'),
      snapshot: db.prepare<[string], KbSnapshotRow>(
        'SELECT id, revision, category, language FROM kb_answers WHERE kb = ? AND active = 1 ORDER BY id',
      ),
      many: db.prepare<[string], Row>(
        'SELECT * FROM kb_answers WHERE id IN (SELECT value FROM json_each(?))',
      ),
      kbs: db.prepare<[], { kb: string }>('SELECT DISTINCT kb FROM kb_answers ORDER BY kb'),
    };
  }

  /** Stores answers in one transaction; returns them with their ids. */
  async insertMany(rows: readonly NewKbAnswer[]): Promise<KbAnswer[]> {
    return this.db.transaction(() => this.insertRows(rows))();
  }

  /** Stores `rows` only while `kb` has no answers (one transaction: check and insert together). */
  async insertIfEmpty(kb: string, rows: readonly NewKbAnswer[]): Promise<KbAnswer[]> {
    return this.db.transaction(() => (this.s.count.get(kb)!.n > 0 ? [] : this.insertRows(rows)))();
  }

  private insertRows(rows: readonly NewKbAnswer[]): KbAnswer[] {
    const now = this.clock.now();
    return rows.map((r) => {
      const id = Number(
        this.s.insert.run({
          kb: r.kb,
          text: r.text,
          category: r.category,
          language: r.language,
          active: r.active ? 1 : 0,
          now,
        }).lastInsertRowid,
      );
      return toAnswer(this.s.get.get(id)!);
    });
  }

  /** One answer by id. */
  async get(id: number): Promise<KbAnswer | undefined> {
    const r = this.s.get.get(id);
    return r ? toAnswer(r) : undefined;
  }

  /** Changes an answer; the revision moves only when its text changes. */
  async update(id: number, patch: KbAnswerPatch): Promise<KbAnswer | undefined> {
    return this.db.transaction(() => {
      const current = this.s.get.get(id);
      if (!current) return undefined;
      const text = patch.text ?? current.text;
      this.s.update.run({
        id,
        text,
        category: patch.category === undefined ? current.category : patch.category,
        language: patch.language ?? current.language,
        active: (patch.active ?? current.active === 1) ? 1 : 0,
        textChanged: text === current.text ? 0 : 1,
        now: this.clock.now(),
      });
      return toAnswer(this.s.get.get(id)!);
    })();
  }

  /** Deletes an answer; `referenced` when operators' actions name it (it stays). */
  async delete(id: number): Promise<'deleted' | 'missing' | 'referenced'> {
    return this.db.transaction(() => {
      if (!this.s.get.get(id)) return 'missing' as const;
      if (this.s.references.get(id)!.n > 0) return 'referenced' as const;
      this.s.delete.run(id);
      return 'deleted' as const;
    })();
  }

  /** A page of a knowledge base's answers, oldest first, with the total matching. */
  async list(q: KbListQuery): Promise<{ answers: KbAnswer[]; total: number }> {
    const where = ['kb = @kb'];
    if (q.active !== undefined) where.push('active = @active');
    if (q.category !== undefined) where.push('category IS @category');
    if (q.language !== undefined) where.push('language = @language');
    const params = {
      kb: q.kb,
      active: q.active ? 1 : 0,
      category: q.category,
      language: q.language,
      limit: q.limit,
      offset: q.offset,
    };
    const clause = where.join(' AND ');
    const total = this.db
      .prepare<typeof params, { n: number }>(`SELECT COUNT(*) AS n FROM kb_answers WHERE ${clause}`)
      .get(params)!.n;
    const rows = this.db
      .prepare<typeof params, Row>(
        `SELECT * FROM kb_answers WHERE ${clause} ORDER BY id LIMIT @limit OFFSET @offset`,
      )
      .all(params);
    return { answers: rows.map(toAnswer), total };
  }

  /** How many answers a knowledge base holds (active or not). */
  async count(kb: string): Promise<number> {
    return this.s.count.get(kb)!.n;
  }

  /** What the answer index compares with: each active answer's id, text revision and category. */
  async snapshot(kb: string): Promise<KbSnapshotRow[]> {
    return this.s.snapshot.all(kb);
  }

  /** Answers by id (missing ids are left out). */
  async getMany(ids: readonly number[]): Promise<KbAnswer[]> {
    return this.s.many.all(JSON.stringify(ids)).map(toAnswer);
  }

  /** The knowledge bases that hold answers. */
  async knowledgeBases(): Promise<string[]> {
    return this.s.kbs.all().map((r) => r.kb);
  }
}
