import { seededRandom as seededGenerator } from '../../src/nets/random.js';

/** The project's seeded PRNG (mulberry32) as a function: the same seed gives the same split on every machine. */
export function seededRandom(seed: number): () => number {
  const r = seededGenerator(seed);
  return () => r.next();
}

/** Shuffles `items` in place with `random` (Fisher–Yates). */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
