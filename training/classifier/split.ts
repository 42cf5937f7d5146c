import { type Random, shuffle } from '../../src/nets/random.js';

/**
 * Carves a validation split out of the training data, the same fraction from every class
 * (at least one example of any class with two or more), in a seeded order.
 */
export function stratifiedSplit(
  labels: Int32Array,
  fraction: number,
  rng: Random,
): { train: number[]; val: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((c, i) => {
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  });
  const train: number[] = [];
  const val: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffle(byClass.get(c)!, rng);
    const n = idx.length < 2 ? 0 : Math.max(1, Math.round(idx.length * fraction));
    val.push(...idx.slice(0, n));
    train.push(...idx.slice(n));
  }
  return { train, val };
}
