/** A seeded pseudo-random source: `next()` in [0, 1). Everything random in training takes one. */
export interface Random {
  next(): number;
}

/** Mulberry32: small, fast and good enough for shuffles, initialisation and dropout. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffle<T>(items: T[], rng: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A standard normal sample (Box–Muller). */
export function gaussian(rng: Random): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Glorot-uniform initial values of a `[fanIn, fanOut]` weight, from a seeded source. */
export function glorot(rng: Random, shape: number[]): Float32Array {
  const [fanIn, fanOut] = [shape[0]!, shape[1] ?? 1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (rng.next() * 2 - 1) * limit);
}
