import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseCsvRecord } from './csv.js';

/** One record of an import file with the line it starts on (1-based, the CSV header is line 1). */
export interface SourceRecord {
  line: number;
  /** A parsed JSON row, or for CSV the raw string fields by column name (typed later by row kind). */
  value?: unknown;
  csv?: Record<string, string>;
  /** Why the record could not even be parsed. */
  error?: string;
}

/** The formats the import reads, by file name: `.csv`, `.jsonl`/`.ndjson`, each optionally `.gz`. */
export function formatOf(path: string): 'csv' | 'jsonl' {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  throw new Error(`${path}: unknown format; use .csv or .jsonl (optionally .gz)`);
}

/** Streams the records of a CSV or JSONL file (gzip-compressed if the name ends in `.gz`). */
export async function* readRecords(path: string): AsyncGenerator<SourceRecord> {
  const format = formatOf(path);
  const raw = createReadStream(path);
  const input = path.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let header: string[] | undefined;
  let pending = '';
  let start = 0;
  for await (const line of lines) {
    lineNo++;
    if (format === 'jsonl') {
      if (line.trim() === '') continue;
      try {
        yield { line: lineNo, value: JSON.parse(line) };
      } catch (err) {
        yield { line: lineNo, error: `malformed JSON: ${(err as Error).message}` };
      }
      continue;
    }
    if (pending === '') start = lineNo;
    const text = pending === '' ? line : `${pending}\n${line}`;
    const fields = parseCsvRecord(text.replace(/^\uFEFF/, ''));
    if (fields === null) {
      pending = text;
      continue;
    }
    pending = '';
    if (fields.length === 1 && fields[0] === '') continue;
    if (!header) {
      header = fields.map((f) => f.trim());
      continue;
    }
    const csv: Record<string, string> = {};
    if (fields.length !== header.length) {
      yield { line: start, error: `expected ${header.length} fields, found ${fields.length}` };
      continue;
    }
    header.forEach((name, i) => {
      csv[name] = fields[i]!;
    });
    yield { line: start, csv };
  }
  if (pending !== '') yield { line: start, error: 'unterminated quoted field' };
}
