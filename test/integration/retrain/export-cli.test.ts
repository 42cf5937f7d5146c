import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../src/store/sqlite.js';
import { readLabelled } from '../../../training/data.js';
import { runExportCli } from '../../../training/export/cli.js';
import { captureIo } from '../../helpers/capture-output.js';
import { tempDir } from '../../helpers/config.js';
import { storeAction } from '../../helpers/retrain-fixture.js';

let dataDir: string;
const env = () => ({ NEURODESK_DATA_DIR: dataDir });

beforeAll(() => {
  dataDir = tempDir();
  const db = openDatabase(join(dataDir, 'neurodesk.db'));
  storeAction(db, {
    text: 'Card "never" came, help',
    category: 'card_arrival',
    action: 'correct_category',
    at: 10,
  });
  storeAction(db, {
    text: 'card "never" came, HELP',
    category: 'card_arrival',
    action: 'reply',
    answer: 'It ships in 3 days.',
    at: 20,
  });
  storeAction(db, {
    text: 'close my account\nplease',
    category: 'terminate_account',
    at: 30,
    operator: 'bob',
  });
  storeAction(db, { bot: 'other', text: 'elsewhere', category: 'x', at: 40 });
  storeAction(db, { text: '  ', category: 'card_arrival', at: 50 });
  closeDatabase(db);
});

describe('npm run export -- labels', () => {
  it('writes one CSV row per labelled text that npm run train reads back', async () => {
    const out = join(dataDir, 'labels.csv');
    const c = captureIo();
    expect(await runExportCli(['labels', '--bot', 'desk', '--out', out], c.io, env())).toBe(0);
    expect(c.err()).toContain(
      'export labels: 2 labels from 4 operator actions (1 duplicates, 0 overruled, 1 empty dropped)',
    );
    const text = readFileSync(out, 'utf8');
    expect(text.split('\r\n')[0]).toBe('text,category,source,operator,labelled_at,message_id,bot');
    const back = readLabelled(out, { textCol: 'text', labelCol: 'category' });
    expect(back.texts).toEqual(['Card "never" came, help', 'close my account\nplease']);
    expect(back.labels).toEqual(['card_arrival', 'terminate_account']);
  });

  it('writes JSON Lines with --format jsonl, every bot without --bot, and honours --since', async () => {
    const all = captureIo();
    expect(await runExportCli(['labels', '--format', 'jsonl'], all.io, env())).toBe(0);
    const rows = all
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.bot)).toEqual(['desk', 'desk', 'other']);
    expect(rows[1]).toMatchObject({
      text: 'close my account\nplease',
      source: 'correction',
      operator: 'bob',
      labelled_at: '1970-01-01T00:00:00.030Z',
    });
    const recent = captureIo();
    expect(
      await runExportCli(
        ['labels', '--format', 'jsonl', '--since', '1970-01-01T00:00:00.025Z'],
        recent.io,
        env(),
      ),
    ).toBe(0);
    expect(recent.out().trim().split('\n')).toHaveLength(2);
  });

  it('exports question → answer pairs from operator replies', async () => {
    const c = captureIo();
    expect(await runExportCli(['pairs', '--format', 'jsonl'], c.io, env())).toBe(0);
    const rows = c
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      expect.objectContaining({
        question: 'card "never" came, HELP',
        answer: 'It ships in 3 days.',
        source: 'reply',
      }),
    ]);
  });

  it('answers usage errors with exit code 2', async () => {
    const what = captureIo();
    expect(await runExportCli(['models'], what.io, env())).toBe(2);
    expect(what.err()).toContain('cannot export "models"');
    const format = captureIo();
    expect(await runExportCli(['labels', '--format', 'xml'], format.io, env())).toBe(2);
    expect(format.err()).toContain('--format: csv or jsonl');
  });
});
