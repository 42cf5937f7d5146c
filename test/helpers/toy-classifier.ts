import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/nets/random.js';
import { DEFAULT_VECTORISER_SETTINGS } from '../../src/nets/vectoriser.js';
import {
  type ClassifierTrainOptions,
  defaultClassifierOptions,
} from '../../training/classifier/train-classifier.js';
import type { LabelledData } from '../../training/data.js';

const TOPICS: Record<string, string[]> = {
  card_lost: ['lost my card', 'card was stolen', 'i cannot find my card', 'потерял карту', 'украли карту'],
  refund: [
    'i want my money back',
    'please refund me',
    'return the payment',
    'верните деньги',
    'хочу возврат',
  ],
  delivery: [
    'where is my parcel',
    'order not delivered',
    'when will it arrive',
    'где мой заказ',
    'не пришла посылка',
  ],
  password: ['forgot my password', 'cannot log in', 'reset my password', 'забыл пароль', 'не могу войти'],
};
const FILLERS = ['', 'please', 'today', 'asap', 'thanks', 'срочно', 'спасибо', 'hello,', 'hi'];

/** A small labelled data set (English and Russian phrases with filler words), seeded. */
export function toyData(n: number, seed: number): LabelledData {
  const rng = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng.next() * xs.length)]!;
  const texts: string[] = [];
  const labels: string[] = [];
  const names = Object.keys(TOPICS);
  for (let i = 0; i < n; i++) {
    const label = names[i % names.length]!;
    texts.push(`${pick(FILLERS)} ${pick(TOPICS[label]!)} ${pick(FILLERS)}`.trim());
    labels.push(label);
  }
  return { texts, labels };
}

/** Writes toy data as CSV and returns its path. */
export function writeToyCsv(dir: string, data: LabelledData): string {
  const path = join(dir, 'toy.csv');
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  writeFileSync(
    path,
    `text,category\n${data.texts.map((t, i) => `${quote(t)},${data.labels[i]}`).join('\n')}\n`,
  );
  return path;
}

/** Options for a tiny, fast classifier (a second or two of training). */
export function tinyOptions(data: LabelledData, dataFile: string, seed = 7): ClassifierTrainOptions {
  const o = defaultClassifierOptions();
  return {
    ...o,
    name: 'toy',
    data,
    dataFile,
    vectoriser: {
      ...DEFAULT_VECTORISER_SETTINGS,
      trigramBits: 10,
      bag: { ...DEFAULT_VECTORISER_SETTINGS.bag!, bits: 12 },
    },
    architecture: { conv: { embedDim: 8, widths: [2, 3], filters: 16, maxLength: 64 }, wideBits: 10 },
    train: { ...o.train, seed, maxEpochs: 8, patience: 3, batchSize: 32 },
    valFraction: 0.2,
    now: () => new Date('2026-01-02T03:04:05Z'),
  };
}
