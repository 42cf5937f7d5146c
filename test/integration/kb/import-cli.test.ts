import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKbCli } from '../../../src/kb/cli.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { closeDatabase, createStore, openDatabase } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/config.js';
import { usePostgresDatabase } from '../../helpers/postgres.js';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return runKbCli(argv, {}, { out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => ({
    code,
    out,
    err,
  }));
}

async function answersIn(dataDir: string) {
  const db = openDatabase(join(dataDir, 'neurodesk.db'));
  try {
    return await createStore(db, { now: () => 0 }).knowledgeBase.list({ kb: 'desk', limit: 100, offset: 0 });
  } finally {
    closeDatabase(db);
  }
}

describe('npm run kb -- import', () => {
  it('imports a CSV file into a knowledge base in one go', async () => {
    const dir = tempDir();
    const file = join(dir, 'answers.csv');
    writeFileSync(
      file,
      'text,category,active\n"Cards arrive in 5 days, ""usually"".",card_arrival,true\nВаша карта в пути.,card_arrival,1\n',
    );
    const r = await run(['import', file, '--kb', 'desk', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^imported 2 answer\(s\) into "desk"/);
    const { answers } = await answersIn(dir);
    expect(answers.map((a) => [a.text, a.language, a.active])).toEqual([
      ['Cards arrive in 5 days, "usually".', 'en', true],
      ['Ваша карта в пути.', 'ru', true],
    ]);
  });

  it('refuses a file with a bad row, names it, and stores nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'answers.jsonl');
    writeFileSync(file, '{"text":"fine","category":"a"}\n{"text":"   "}\nnot json\n');
    const r = await run(['import', file, '--kb', 'desk', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file} row 2: text: text must not be empty`);
    expect(r.err.some((l) => l.startsWith(`${file} row 3: malformed JSON`))).toBe(true);
    expect((await answersIn(dir)).total).toBe(0);
  });
});

describe('npm run kb -- import, with NEURODESK_DATABASE_URL set', () => {
  const pgDb = usePostgresDatabase();

  it.skipIf(!pgDb.available)(
    'stores into the PostgreSQL database the gateways share, not a local file',
    async () => {
      const dir = tempDir();
      const file = join(dir, 'answers.csv');
      writeFileSync(file, 'text,category\nВаша карта в пути.,card_arrival\n');
      const out: string[] = [];
      const err: string[] = [];
      const code = await runKbCli(
        ['import', file, '--kb', 'desk', '--data-dir', dir],
        { NEURODESK_DATABASE_URL: pgDb.url() },
        { out: (l) => out.push(l), err: (l) => err.push(l) },
      );
      expect({ code, err }).toEqual({ code: 0, err: [] });
      expect(out[0]).toBe('imported 1 answer(s) into "desk" in the PostgreSQL database');
      expect(existsSync(join(dir, 'neurodesk.db'))).toBe(false);
      const store = await openPostgresStore(pgDb.url(), { clock: { now: () => 0 }, instanceId: 'test' });
      try {
        const { answers } = await store.knowledgeBase.list({ kb: 'desk', limit: 10, offset: 0 });
        expect(answers.map((a) => [a.text, a.language])).toEqual([['Ваша карта в пути.', 'ru']]);
      } finally {
        await store.close();
      }
    },
  );
});
