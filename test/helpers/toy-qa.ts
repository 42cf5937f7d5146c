import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QaNet } from '../../src/nets/qa/qa-net.js';
import { seededRandom } from '../../src/nets/random.js';
import { DEFAULT_VECTORISER_SETTINGS } from '../../src/nets/vectoriser.js';
import type { KbEntry } from '../../training/qa/pairs.js';
import { kbTrainingSets } from '../../training/qa/pairs.js';
import { defaultQaOptions, type QaTrainOptions, trainQa } from '../../training/qa/train-qa.js';

/** A toy knowledge base: one answer per topic, English and Russian for two of them. */
export const TOY_KB: KbEntry[] = [
  {
    category: 'card_lost',
    language: 'en',
    text: 'Freeze your card in the app right away and order a new one.',
  },
  { category: 'card_lost', language: 'ru', text: 'Сразу заморозьте карту в приложении и закажите новую.' },
  {
    category: 'refund',
    language: 'en',
    text: 'Refunds come from the merchant and take 5 to 10 working days.',
  },
  {
    category: 'delivery',
    language: 'en',
    text: 'Parcels are delivered within 3 to 5 working days; track yours in the app.',
  },
  {
    category: 'delivery',
    language: 'ru',
    text: 'Посылки доставляются за 3–5 рабочих дней, отследить можно в приложении.',
  },
  {
    category: 'password',
    language: 'en',
    text: 'Tap "Forgot password" on the login screen to set a new one.',
  },
];

const TOPICS: Record<string, string[]> = {
  card_lost: ['lost my card', 'card was stolen', 'i cannot find my card', 'потерял карту', 'украли карту'],
  refund: ['i want my money back', 'please refund me', 'return the payment', 'how do i get a refund'],
  delivery: [
    'where is my parcel',
    'order not delivered',
    'when will it arrive',
    'где мой заказ',
    'не пришла посылка',
  ],
  password: ['forgot my password', 'cannot log in', 'reset my password', 'locked out of my account'],
};
const FILLERS = ['', 'please', 'today', 'asap', 'thanks', 'срочно', 'спасибо', 'hello,', 'hi'];

/** Toy questions with their categories, seeded. */
export function toyQuestions(
  n: number,
  seed: number,
): Array<{ question: string; category: string; label: number }> {
  const rng = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng.next() * xs.length)]!;
  const names = Object.keys(TOPICS);
  return Array.from({ length: n }, (_, i) => {
    const category = names[i % names.length]!;
    return {
      question: `${pick(FILLERS)} ${pick(TOPICS[category]!)} ${pick(FILLERS)}`.trim(),
      category,
      label: 1,
    };
  });
}

/** Writes the toy knowledge base as JSON Lines and returns its path. */
export function writeToyKb(dir: string): string {
  const path = join(dir, 'toy-kb.jsonl');
  writeFileSync(path, `${TOY_KB.map((a) => JSON.stringify(a)).join('\n')}\n`);
  return path;
}

/** Options for a tiny two-tower net over the toy knowledge base (a second or two of training). */
export function tinyQaOptions(seed = 7, dataFile?: string): QaTrainOptions {
  const o = defaultQaOptions();
  const sets = kbTrainingSets([toyQuestions(240, seed)], TOY_KB, 0.2, seed);
  return {
    ...o,
    name: 'toy-qa',
    train: sets.train,
    val: sets.val,
    valMetric: 'top1',
    dataFiles: dataFile ? [{ file: dataFile, rows: TOY_KB.length }] : [],
    vectoriser: {
      ...DEFAULT_VECTORISER_SETTINGS,
      trigramBits: 10,
      bag: { ...DEFAULT_VECTORISER_SETTINGS.bag!, bits: 12 },
    },
    architecture: {
      dim: 16,
      share: 'tables',
      conv: { embedDim: 8, widths: [2, 3], filters: 16, maxLength: 64, answerMaxLength: 96 },
      wideBits: 10,
      lexicalBits: 12,
    },
    settings: { ...o.settings, seed, maxEpochs: 10, patience: 4, batchSize: 32, allAnswers: true },
    thresholdPrecision: 0.9,
    now: () => new Date('2026-01-02T03:04:05Z'),
  };
}

/** Trains the tiny net. */
export function trainToyQa(seed = 7): QaNet {
  return trainQa(tinyQaOptions(seed)).net;
}
