import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** Labelled texts read from a CSV or JSON Lines file. */
export interface LabelledData {
  texts: string[];
  labels: string[];
}

/** Which columns (CSV) or keys (JSONL) hold the text and the label. */
export interface ColumnOptions {
  textCol: string;
  labelCol: string;
}

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field.length === 0) quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Reads labelled data from `.csv` (with a header row) or `.jsonl`; rows without a label fail. */
export function readLabelled(path: string, cols: ColumnOptions): LabelledData {
  const raw = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const texts: string[] = [];
  const labels: string[] = [];
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    raw.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const obj = JSON.parse(line) as Record<string, unknown>;
      const text = obj[cols.textCol];
      const label = obj[cols.labelCol];
      if (typeof text !== 'string' || (typeof label !== 'string' && typeof label !== 'number')) {
        throw new Error(`${path}:${i + 1}: needs string "${cols.textCol}" and "${cols.labelCol}"`);
      }
      texts.push(text);
      labels.push(String(label));
    });
  } else if (ext === '.csv') {
    const [header, ...rows] = parseCsv(raw);
    const ti = header?.indexOf(cols.textCol) ?? -1;
    const li = header?.indexOf(cols.labelCol) ?? -1;
    if (ti < 0 || li < 0) {
      throw new Error(`${path}: header must have columns "${cols.textCol}" and "${cols.labelCol}"`);
    }
    rows.forEach((r, i) => {
      const label = r[li];
      if (label === undefined || label === '') throw new Error(`${path}: row ${i + 2} has no label`);
      texts.push(r[ti] ?? '');
      labels.push(label);
    });
  } else {
    throw new Error(`${path}: expected a .csv or .jsonl file`);
  }
  if (texts.length === 0) throw new Error(`${path}: no rows`);
  return { texts, labels };
}

/**
 * The files of a `--data` list (repeated flags and/or comma lists: `en.csv,ru.csv`), each
 * checked to exist; read together by {@link readLabelledFiles}.
 */
export function dataFileList(values: readonly string[]): string[] {
  const files = values
    .flatMap((v) => v.split(','))
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
  if (files.length === 0) throw new Error('--data needs a file');
  return files;
}

/** Labelled data of several files, one after the other in the order given. */
export function readLabelledFiles(
  files: readonly string[],
  cols: ColumnOptions,
): LabelledData & { rows: number[] } {
  const texts: string[] = [];
  const labels: string[] = [];
  const rows: number[] = [];
  for (const file of files) {
    const d = readLabelled(file, cols);
    texts.push(...d.texts);
    labels.push(...d.labels);
    rows.push(d.texts.length);
  }
  return { texts, labels, rows };
}
