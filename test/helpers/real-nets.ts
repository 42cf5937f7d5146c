import { readFileSync } from 'node:fs';
import { initBackend } from '../../src/nets/backend.js';
import { ClassifierRegistry } from '../../src/nets/classifier-registry.js';
import { QaRegistry } from '../../src/nets/qa-registry.js';

/**
 * The committed default nets (`nets/bank-classifier`, `nets/bank-qa`), loaded once per test
 * file (vitest runs each file in its own process) and shared by every gateway the file
 * starts: the channel tests assert the replies a customer would really get.
 */
let shared: { classifiers: ClassifierRegistry; qa: QaRegistry } | undefined;

/** The default nets, loaded on first use. */
export async function defaultNets(): Promise<{ classifiers: ClassifierRegistry; qa: QaRegistry }> {
  if (!shared) {
    await initBackend('auto');
    const classifiers = new ClassifierRegistry('nets');
    classifiers.load('bank-classifier');
    const qa = new QaRegistry('nets');
    qa.load('bank-qa');
    shared = { classifiers, qa };
  }
  return shared;
}

interface SeedAnswer {
  category: string;
  language: string;
  text: string;
}

const seed: SeedAnswer[] = readFileSync('training/data/bank-kb/answers.jsonl', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as SeedAnswer);

/** The default knowledge base's answer of a category (as seeded at first start). */
export function kbAnswer(category: string, language = 'en'): string {
  const a = seed.find((x) => x.category === category && x.language === language);
  if (!a) throw new Error(`no ${language} answer for ${category} in the default knowledge base`);
  return a.text;
}
