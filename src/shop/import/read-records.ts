import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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

/** Turns physical lines into records, one format's rules; holds an open quoted CSV field (also used for the knowledge base import). */
export class RecordParser {
  private lineNo = 0;
  private header: string[] | undefined;
  private pending = '';
  private start = 0;

  constructor(private readonly format: 'csv' | 'jsonl') {}

  /** Takes the next line; returns a record when one is complete. */
  push(line: string): SourceRecord | undefined {
    this.lineNo++;
    if (this.format === 'jsonl') {
      if (line.trim() === '') return undefined;
      try {
        return { line: this.lineNo, value: JSON.parse(line) };
      } catch (err) {
        return { line: this.lineNo, error: `malformed JSON: ${(err as Error).message}` };
      }
    }
    if (this.pending === '') this.start = this.lineNo;
    const text = this.pending === '' ? line : `${this.pending}\n${line}`;
    const fields = parseCsvRecord(this.lineNo === 1 ? text.replace(/^\uFEFF/, '') : text);
    if (fields === null) {
      this.pending = text;
      return undefined;
    }
    this.pending = '';
    if (fields.length === 1 && fields[0] === '') return undefined;
    if (!this.header) {
      this.header = fields.map((f) => f.trim());
      return undefined;
    }
    if (fields.length !== this.header.length) {
      return { line: this.start, error: `expected ${this.header.length} fields, found ${fields.length}` };
    }
    const csv: Record<string, string> = {};
    for (let i = 0; i < fields.length; i++) csv[this.header[i]!] = fields[i]!;
    return { line: this.start, csv };
  }

  /** At the end of the file: an error if a quoted field never closed. */
  end(): SourceRecord | undefined {
    return this.pending === '' ? undefined : { line: this.start, error: 'unterminated quoted field' };
  }
}

/**
 * Streams the records of a CSV or JSONL file (gzip-compressed if the name ends in `.gz`),
 * a chunk's worth at a time: one await per chunk rather than per line keeps a
 * 100,000-line file from spending its time in promise bookkeeping.
 */
export async function* readRecordBatches(path: string): AsyncGenerator<SourceRecord[]> {
  const parser = new RecordParser(formatOf(path));
  const raw = createReadStream(path);
  const input = path.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const take = (lines: string[]) => {
    const batch: SourceRecord[] = [];
    for (const line of lines) {
      const record = parser.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (record) batch.push(record);
    }
    return batch;
  };
  for await (const chunk of input) {
    const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = lines.pop()!;
    const batch = take(lines);
    if (batch.length > 0) yield batch;
  }
  const tail = rest + decoder.end();
  const batch = tail === '' ? [] : take([tail]);
  const last = parser.end();
  if (last) batch.push(last);
  if (batch.length > 0) yield batch;
}
