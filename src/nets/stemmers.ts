import { createRequire } from 'node:module';

/** A word stemmer: maps an inflected word to its stem. */
export type Stem = (word: string) => string;

// The stemmer modules are loaded one by one: natural's index pulls in the whole library
// (and prints from its dotenv) for two small pure functions.
const require = createRequire(import.meta.url);
const english = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem: Stem };
const russian = require('natural/lib/natural/stemmers/porter_stemmer_ru.js') as { stem: Stem };

const CYRILLIC = /[\u0400-\u04ff]/;
const LATIN = /[a-z]/;

// Stemming is the costliest step of featurising and a desk's vocabulary is small: keep the
// stems of recent words, and start afresh when the cache is full.
const CACHE_LIMIT = 100_000;
const cache = new Map<string, string>();

/**
 * Stems one lower-cased word with the Porter stemmer of its script: Russian for Cyrillic,
 * English for Latin, unchanged otherwise (digits, placeholders, emoji, other scripts).
 */
export function stemWord(word: string): string {
  if (word.length < 3 || word.startsWith('<')) return word;
  let stem = cache.get(word);
  if (stem === undefined) {
    stem = CYRILLIC.test(word) ? russian.stem(word) : LATIN.test(word) ? english.stem(word) : word;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(word, stem);
  }
  return stem;
}
