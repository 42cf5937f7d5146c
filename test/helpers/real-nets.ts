import { readFileSync } from 'node:fs';
import { systemClock } from '../../src/core/ports.js';
import { createLogger } from '../../src/logger.js';
import { initBackend } from '../../src/nets/backend.js';
import { LocalExecutor } from '../../src/nets/runtime/executor.js';
import { NetHost } from '../../src/nets/runtime/net-host.js';
import { NetRegistry } from '../../src/nets/runtime/net-registry.js';

/**
 * The committed default nets (`nets/bank-classifier`, `nets/bank-qa`) in one registry,
 * loaded once per test file (vitest runs each file in its own process) and shared by every
 * gateway the file starts: the channel tests assert the replies a customer would really get.
 */
let shared: NetRegistry | undefined;

/** The default nets, loaded on first use (inference in the calling thread). */
export async function defaultNets(): Promise<NetRegistry> {
  if (!shared) {
    await initBackend('auto');
    const registry = new NetRegistry({
      root: 'nets',
      executor: new LocalExecutor(new NetHost({ maxBytes: 256 * 1024 ** 2 })),
      batching: { maxSize: 32, maxWaitMs: 1 },
      logger: createLogger('silent'),
      clock: systemClock,
    });
    await registry.load('bank-classifier');
    await registry.load('bank-qa');
    shared = registry;
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
