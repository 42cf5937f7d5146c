import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { AppError } from '../errors.js';
import { answerPatchSchema, completeAnswer, firstIssue, newAnswerSchema } from './answer-input.js';
import { AnswerImportError, type ImportFormat, parseAnswerImport } from './import-answers.js';
import type { KbAnswer, KbListQuery, KnowledgeBaseStore } from './types.js';

/** The knowledge base every bot uses unless its file names another. */
export const DEFAULT_KB = 'default';

/**
 * The knowledge bases' answers: validated writes, reads, imports, and a signal after each
 * change so the answer vectors follow (`onChange` listeners get the knowledge base's name).
 */
export class KnowledgeBase {
  private readonly listeners: Array<(kb: string) => void> = [];

  constructor(private readonly store: KnowledgeBaseStore) {}

  /** Calls `listener(kb)` after every change to a knowledge base. */
  onChange(listener: (kb: string) => void): void {
    this.listeners.push(listener);
  }

  private changed(kbs: Iterable<string>): void {
    for (const kb of new Set(kbs)) for (const l of this.listeners) l(kb);
  }

  /** Adds one answer from an API body; 400 naming the bad field. */
  async create(body: unknown): Promise<KbAnswer> {
    const parsed = newAnswerSchema.safeParse(body);
    if (!parsed.success) throw new AppError('validation_failed', firstIssue(parsed.error));
    const [answer] = await this.store.insertMany([completeAnswer(parsed.data, DEFAULT_KB)]);
    this.changed([answer!.kb]);
    return answer!;
  }

  /** One answer; 404 when there is none. */
  async get(id: number): Promise<KbAnswer> {
    const answer = await this.store.get(id);
    if (!answer) throw new AppError('not_found', `answer ${id} does not exist`);
    return answer;
  }

  /** Answers by id (for suggestions; missing ids are left out). */
  getMany(ids: readonly number[]): Promise<KbAnswer[]> {
    return this.store.getMany(ids);
  }

  /** Changes an answer from an API body; 400 naming the bad field, 404 when there is none. */
  async update(id: number, body: unknown): Promise<KbAnswer> {
    const parsed = answerPatchSchema.safeParse(body);
    if (!parsed.success) throw new AppError('validation_failed', firstIssue(parsed.error));
    const answer = await this.store.update(id, parsed.data);
    if (!answer) throw new AppError('not_found', `answer ${id} does not exist`);
    this.changed([answer.kb]);
    return answer;
  }

  /** Deletes an answer; 409 when operators' actions refer to it (deactivate it instead). */
  async delete(id: number): Promise<void> {
    const kb = (await this.store.get(id))?.kb;
    const result = await this.store.delete(id);
    if (result === 'missing') throw new AppError('not_found', `answer ${id} does not exist`);
    if (result === 'referenced') {
      throw new AppError(
        'conflict',
        `answer ${id} is referenced by operators' actions; deactivate it instead (PATCH {"active": false})`,
      );
    }
    this.changed([kb!]);
  }

  /** A page of a knowledge base. */
  list(q: KbListQuery): Promise<{ answers: KbAnswer[]; total: number }> {
    return this.store.list(q);
  }

  /** Imports a batch: every row is checked first, and a bad row refuses the whole batch (400 naming it). */
  async import(body: string | unknown, format: ImportFormat, kb = DEFAULT_KB): Promise<KbAnswer[]> {
    let rows: ReturnType<typeof parseAnswerImport>;
    try {
      rows = parseAnswerImport(body, format, kb);
    } catch (err) {
      if (err instanceof AnswerImportError)
        throw new AppError('validation_failed', `${err.message}; nothing was imported`, {
          details: err.problems,
        });
      throw err;
    }
    const stored = await this.store.insertMany(rows);
    this.changed(stored.map((a) => a.kb));
    return stored;
  }

  /** Imports a file (`.csv`, `.jsonl`, `.json`); throws {@link AnswerImportError} on a bad row. */
  async importFile(path: string, kb = DEFAULT_KB): Promise<KbAnswer[]> {
    const stored = await this.store.insertMany(this.parseFile(path, kb));
    this.changed(stored.map((a) => a.kb));
    return stored;
  }

  /** The answers in a `.csv`, `.jsonl` or `.json` file; throws {@link AnswerImportError} on a bad row. */
  private parseFile(path: string, kb: string): ReturnType<typeof parseAnswerImport> {
    const ext = extname(path).toLowerCase();
    const format: ImportFormat | undefined =
      ext === '.csv'
        ? 'csv'
        : ext === '.jsonl' || ext === '.ndjson'
          ? 'jsonl'
          : ext === '.json'
            ? 'json'
            : undefined;
    if (!format) throw new Error(`${path}: expected a .csv, .jsonl or .json file`);
    const text = readFileSync(path, 'utf8');
    return parseAnswerImport(format === 'json' ? JSON.parse(text) : text, format, kb);
  }

  /**
   * Loads a seed file into a knowledge base that has never held an answer (first start);
   * returns how many answers were added (0 when the base already had some).
   */
  async seedIfEmpty(kb: string, path: string): Promise<number> {
    if ((await this.store.count(kb)) > 0) return 0;
    // Checked again where it is stored: another gateway on the same database may be seeding too.
    const stored = await this.store.insertIfEmpty(kb, this.parseFile(path, kb));
    this.changed(stored.map((a) => a.kb));
    return stored.length;
  }

  /** What the answer index compares with. */
  snapshot(kb: string) {
    return this.store.snapshot(kb);
  }
}
