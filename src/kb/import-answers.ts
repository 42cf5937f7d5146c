import { RecordParser } from '../shop/import/read-records.js';
import { answerFromCsv, completeAnswer, firstIssue, newAnswerSchema } from './answer-input.js';
import type { NewKbAnswer } from './types.js';

/** The formats an import takes. */
export type ImportFormat = 'csv' | 'jsonl' | 'json';

/** One bad row of an import: its number (1-based data row; for CSV the header is not counted) and why. */
export interface ImportProblem {
  row: number;
  message: string;
}

/** An import refused as a whole: nothing of it was stored. */
export class AnswerImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    const first = problems[0]!;
    super(
      `row ${first.row}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    );
    this.name = 'AnswerImportError';
  }
}

/** Problems reported at most (the rest are counted in the message). */
export const MAX_IMPORT_PROBLEMS = 50;

/** Rows of an import at most. */
export const MAX_IMPORT_ROWS = 100_000;

/** The raw records of an import's text. */
function records(
  body: string | unknown,
  format: ImportFormat,
): Array<{ row: number; value?: unknown; error?: string }> {
  if (format === 'json') {
    const list = Array.isArray(body) ? body : (body as { answers?: unknown })?.answers;
    if (!Array.isArray(list))
      return [{ row: 0, error: 'expected a JSON array of answers or {"answers": [...]}' }];
    return list.map((value, i) => ({ row: i + 1, value }));
  }
  const parser = new RecordParser(format);
  const out: Array<{ row: number; value?: unknown; error?: string }> = [];
  const push = (rec: ReturnType<RecordParser['push']>) => {
    if (!rec) return;
    const row = out.length + 1;
    if (rec.error) out.push({ row, error: rec.error });
    else out.push({ row, value: rec.csv ? answerFromCsv(rec.csv) : rec.value });
  };
  for (const line of String(body)
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/))
    push(parser.push(line));
  push(parser.end());
  return out;
}

/**
 * Validates every row of an import before anything is stored: all rows are good, or an
 * {@link AnswerImportError} names the bad ones. CSV needs a header row with a `text` column
 * (`category`, `language`, `active`, `kb` optional); JSONL and JSON take objects of the same fields.
 */
export function parseAnswerImport(body: string | unknown, format: ImportFormat, kb: string): NewKbAnswer[] {
  const rows = records(body, format);
  const problems: ImportProblem[] = [];
  const answers: NewKbAnswer[] = [];
  if (rows.length > MAX_IMPORT_ROWS)
    throw new AnswerImportError([
      { row: MAX_IMPORT_ROWS + 1, message: `an import holds at most ${MAX_IMPORT_ROWS} answers` },
    ]);
  for (const r of rows) {
    if (r.error !== undefined) {
      problems.push({ row: r.row, message: r.error });
    } else {
      const parsed = newAnswerSchema.safeParse(r.value);
      if (parsed.success) answers.push(completeAnswer(parsed.data, kb));
      else problems.push({ row: r.row, message: firstIssue(parsed.error) });
    }
    if (problems.length >= MAX_IMPORT_PROBLEMS) break;
  }
  if (problems.length > 0) throw new AnswerImportError(problems);
  if (answers.length === 0) throw new AnswerImportError([{ row: 1, message: 'the import holds no answers' }]);
  return answers;
}
