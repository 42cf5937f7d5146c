import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvRecord } from '../../../src/shop/import/csv.js';
import { readRecordBatches } from '../../../src/shop/import/read-records.js';
import { parseTimestamp } from '../../../src/shop/timestamps.js';
import { tempDir } from '../../helpers/config.js';

const NOW = Date.UTC(2024, 5, 1);

describe('event timestamps', () => {
  it('reads ISO 8601 with or without a zone (no zone is UTC) and milliseconds', () => {
    expect(parseTimestamp('2024-05-01T10:00:00Z', NOW)).toEqual({ ms: Date.UTC(2024, 4, 1, 10) });
    expect(parseTimestamp('2024-05-01 10:00', NOW)).toEqual({ ms: Date.UTC(2024, 4, 1, 10) });
    expect(parseTimestamp('2024-05-01T12:30:00+02:30', NOW)).toEqual({ ms: Date.UTC(2024, 4, 1, 10) });
    expect(parseTimestamp('2024-05-01', NOW)).toEqual({ ms: Date.UTC(2024, 4, 1) });
    expect(parseTimestamp(Date.UTC(2024, 4, 1), NOW)).toEqual({ ms: Date.UTC(2024, 4, 1) });
    expect(parseTimestamp(String(Date.UTC(2024, 4, 1)), NOW)).toEqual({ ms: Date.UTC(2024, 4, 1) });
  });

  it('refuses seconds, impossible dates, the far future and prose, saying why', () => {
    expect(parseTimestamp(1714557600, NOW)).toEqual({ error: expect.stringMatching(/seconds/) });
    expect(parseTimestamp('2024-02-30T10:00:00Z', NOW)).toEqual({
      error: expect.stringMatching(/not a valid date/),
    });
    expect(parseTimestamp('2030-01-01T00:00:00Z', NOW)).toEqual({ error: expect.stringMatching(/future/) });
    expect(parseTimestamp('yesterday', NOW)).toEqual({ error: expect.stringMatching(/ISO 8601/) });
  });
});

describe('CSV records', () => {
  it('splits quoted fields with commas, doubled quotes and empty cells', () => {
    expect(parseCsvRecord('a,"b, c","say ""hi""",,e')).toEqual(['a', 'b, c', 'say "hi"', '', 'e']);
  });

  it('asks for the next line while a quoted field is open', () => {
    expect(parseCsvRecord('1,"two\nlines')).toBeNull();
    expect(parseCsvRecord('1,"two\nlines",3')).toEqual(['1', 'two\nlines', '3']);
  });
});

describe('import file records', () => {
  const collect = async (path: string) => {
    const out = [];
    for await (const batch of readRecordBatches(path)) out.push(...batch);
    return out;
  };

  it('reads CSV with a byte-order mark, CRLF line ends and a quoted field spanning lines, by line number', async () => {
    const path = join(tempDir(), 'p.csv');
    writeFileSync(path, '\uFEFFid,title\r\np1,"Two\r\nlines"\r\np2,Plain\r\n');
    expect(await collect(path)).toEqual([
      { line: 2, csv: { id: 'p1', title: 'Two\nlines' } },
      { line: 4, csv: { id: 'p2', title: 'Plain' } },
    ]);
  });

  it('reports a malformed JSONL line and a short CSV row by their line numbers', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'e.jsonl'), '{"userId":"a"}\n\n{oops\n');
    expect(await collect(join(dir, 'e.jsonl'))).toEqual([
      { line: 1, value: { userId: 'a' } },
      { line: 3, error: expect.stringMatching(/^malformed JSON/) },
    ]);
    writeFileSync(join(dir, 'e.csv'), 'userId,itemId,type\na,p1\n');
    expect(await collect(join(dir, 'e.csv'))).toEqual([{ line: 2, error: 'expected 3 fields, found 2' }]);
  });
});
