import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../training/cli.js';
import { captureIo } from '../../helpers/capture-output.js';
import { tempDir } from '../../helpers/config.js';
import { toyData, writeToyCsv } from '../../helpers/toy-classifier.js';

let dir: string;
let csv: string;

beforeAll(() => {
  dir = tempDir('neurodesk-cli-');
  csv = writeToyCsv(dir, toyData(160, 3));
});

describe('train and evaluate commands', () => {
  it('trains a classifier into a version folder and points CURRENT at it', async () => {
    const c = captureIo();
    const code = await runCli(
      [
        'train',
        'classifier',
        '--data',
        csv,
        '--out',
        join(dir, 'nets', 'toy'),
        '--max-epochs',
        '2',
        '--backend',
        'wasm',
        '--version',
        'v1',
      ],
      c.io,
    );
    expect(c.err()).toContain('epoch 2/2');
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'nets', 'toy', 'CURRENT'), 'utf8').trim()).toBe('v1');
    for (const f of ['topology.json', 'weights.bin', 'meta.json', 'manifest.json']) {
      expect(existsSync(join(dir, 'nets', 'toy', 'v1', f))).toBe(true);
    }
    const meta = JSON.parse(readFileSync(join(dir, 'nets', 'toy', 'v1', 'meta.json'), 'utf8'));
    expect(meta.trainingData).toMatchObject({ file: csv, rows: 160 });
    expect(meta.trainingData.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.labels).toHaveLength(4);
  });

  it('prints one JSON object with accuracy, macroF1 and n as the last line of --json', async () => {
    const c = captureIo();
    const code = await runCli(
      ['evaluate', 'classifier', '--net', join(dir, 'nets', 'toy'), '--data', csv, '--json'],
      c.io,
    );
    expect(code).toBe(0);
    const last = JSON.parse(c.out().trim().split('\n').pop()!);
    expect(last.n).toBe(160);
    expect(last.accuracy).toBeGreaterThan(0.5);
    expect(last.macroF1).toBeGreaterThan(0);
    expect(last.net).toBe('toy/v1');
  });

  it('prints a readable report without --json', async () => {
    const c = captureIo();
    await runCli(['evaluate', 'classifier', '--net', join(dir, 'nets', 'toy', 'v1'), '--data', csv], c.io);
    expect(c.out()).toMatch(/accuracy \d+\.\d\d%\s+macro-F1/);
    expect(c.out()).toContain('most confused');
  });

  it('trains on several --data files, records them and the test files beside them in the provenance, and evaluates on those by default', async () => {
    const data = toyData(200, 5);
    const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
    const write = (file: string, rows: number[]) =>
      writeFileSync(
        file,
        `text,category\n${rows.map((i) => `${quote(data.texts[i]!)},${data.labels[i]}`).join('\n')}\n`,
      );
    const isRu = (i: number) => /[а-я]/.test(data.texts[i]!);
    const en = [...data.texts.keys()].filter((i) => !isRu(i));
    const ru = [...data.texts.keys()].filter(isRu);
    for (const [lang, rows] of [
      ['en', en],
      ['ru', ru],
    ] as const) {
      mkdirSync(join(dir, lang), { recursive: true });
      write(join(dir, lang, 'train.csv'), rows.slice(0, -16));
      write(join(dir, lang, 'test.csv'), rows.slice(-16));
      writeFileSync(
        join(dir, lang, 'README.md'),
        `# toy\n\n- **Licence:** toy licence ${lang}. More words.\n`,
      );
    }
    const files = [join(dir, 'en', 'train.csv'), join(dir, 'ru', 'train.csv')];
    const c = captureIo();
    const out = join(dir, 'nets', 'toy2');
    const argv = ['train', 'classifier', '--data', files.join(','), '--out', out, '--max-epochs', '2'];
    expect(await runCli([...argv, '--backend', 'wasm', '--version', 'v1'], c.io)).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'v1', 'meta.json'), 'utf8'));
    const rows = (f: string) => readFileSync(f, 'utf8').trim().split('\n').length - 1;
    expect(meta.trainingData).toMatchObject({
      file: files.join(','),
      rows: rows(files[0]!) + rows(files[1]!),
    });
    expect(meta.vectoriser.normalisation).toBe(2);
    expect(meta.provenance.recipe).toContain(`--data ${files.join(',')}`);
    expect(
      meta.provenance.files.map((f: { role: string; rows: number; licence: string }) => [
        f.role,
        f.rows,
        f.licence,
      ]),
    ).toEqual([
      ['train', rows(files[0]!), 'toy licence en.'],
      ['train', rows(files[1]!), 'toy licence ru.'],
      ['test', 16, 'toy licence en.'],
      ['test', 16, 'toy licence ru.'],
    ]);
    const ev = captureIo();
    expect(await runCli(['evaluate', 'classifier', '--net', out, '--json', '--backend', 'wasm'], ev.io)).toBe(
      0,
    );
    const last = JSON.parse(ev.out().trim().split('\n').pop()!);
    expect(last.n).toBe(32);
    expect(last.nEn + last.nRu).toBe(32);
    expect(last.accuracyRu).toBeGreaterThan(0.5);
    expect(last.macroF1En).toBeGreaterThan(0);
  });

  it('answers usage for an unknown kind and a clear error for a missing net', async () => {
    const unknown = captureIo();
    expect(await runCli(['train', 'nope'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('npm run train -- classifier');
    const missing = captureIo();
    expect(
      await runCli(['evaluate', 'classifier', '--net', join(dir, 'none'), '--data', csv], missing.io),
    ).toBe(1);
    expect(missing.err()).toMatch(/net folder .*none: neither a version folder/);
    const noData = captureIo();
    expect(await runCli(['train', 'classifier', '--out', join(dir, 'x')], noData.io)).toBe(1);
    expect(noData.err()).toContain('--data and --out are required');
  });
});
