import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelledData } from '../training/data.js';

/** Settings of the fastText baseline: char 3–5-grams and word bigrams, as in the issue. */
export const FASTTEXT_ARGS = [
  '-wordNgrams',
  '2',
  '-minn',
  '3',
  '-maxn',
  '5',
  '-epoch',
  '50',
  '-lr',
  '0.5',
  '-dim',
  '100',
];

/** True when Debian's `fasttext` is on PATH. */
export function hasFasttext(): boolean {
  return spawnSync('fasttext', [], { stdio: 'ignore' }).error === undefined;
}

// fastText splits on spaces only: lower-case and pad punctuation so "card?" and "card" match.
function line(text: string, label?: string): string {
  const clean = text
    .toLowerCase()
    .replace(/([.,!?;:()"'])/g, ' $1 ')
    .replace(/\s+/g, ' ')
    .trim();
  return label === undefined ? clean : `__label__${label} ${clean}`;
}

/** Trains Debian's fastText on `train` and tests it on each of `tests`; accuracy is its precision at 1. */
export function runFasttext(
  train: LabelledData,
  tests: LabelledData[],
  dir: string,
  threads = 2,
): { accuracies: number[]; trainSeconds: number } {
  mkdirSync(dir, { recursive: true });
  const trainFile = join(dir, 'train.txt');
  writeFileSync(trainFile, `${train.texts.map((t, i) => line(t, train.labels[i])).join('\n')}\n`);
  const model = join(dir, 'model');
  const started = performance.now();
  execFileSync(
    'fasttext',
    [
      'supervised',
      '-input',
      trainFile,
      '-output',
      model,
      '-thread',
      String(threads),
      '-seed',
      '1',
      ...FASTTEXT_ARGS,
    ],
    { stdio: 'ignore' },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const accuracies = tests.map((test, k) => {
    const testFile = join(dir, `test${k}.txt`);
    writeFileSync(testFile, `${test.texts.map((t, i) => line(t, test.labels[i])).join('\n')}\n`);
    const out = execFileSync('fasttext', ['test', `${model}.bin`, testFile], { encoding: 'utf8' });
    const p1 = /P@1\s+([\d.]+)/.exec(out);
    if (!p1) throw new Error(`unexpected fastText output: ${out}`);
    return Number(p1[1]);
  });
  return { accuracies, trainSeconds };
}
