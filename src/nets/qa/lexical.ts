import { createRequire } from 'node:module';
import { murmurhash3 } from '../murmurhash3.js';
import { stemWord } from '../stemmers.js';
import { normalise, normaliseText } from '../text-normalise.js';

/**
 * The lexical-overlap side of answer scoring, as in the CNN-Cnt model of the WikiQA paper:
 * how many of the question's content words (stemmed, stop words left out) the answer holds,
 * plain and weighted by IDF. A two-tower net matches meaning; overlap catches the rare
 * names and numbers a small net has never seen. Both are sparse: a question's terms are a
 * handful of hashed ids, so scoring a whole knowledge base goes through posting lists.
 */

const require = createRequire(import.meta.url);
const STOP = new Set<string>([
  ...(require('natural/lib/natural/util/stopwords.js') as { words: string[] }).words,
  ...(require('natural/lib/natural/util/stopwords_ru.js') as { words: string[] }).words,
]);

const WORD_RE = /[\p{L}\p{N}_]+/gu;
const encoder = new TextEncoder();
// A seed apart from the vectoriser's feature kinds, so term ids never line up with them by design.
const SEED_TERM = 7;

/**
 * Distinct content-word ids of a text, ascending: ids in [1, 2^bits). `normalisation` is the
 * net's vectoriser setting: 2 repairs wrong keyboard layouts and transliterated Russian first.
 */
export function contentTerms(
  text: string,
  seed: number,
  bits: number,
  maxChars = 1000,
  normalisation: 1 | 2 = 1,
): Int32Array {
  const clean = normalisation === 2 ? normaliseText(text, maxChars) : normalise(text, maxChars);
  const words = clean.match(WORD_RE) ?? [];
  const ids = new Set<number>();
  for (const w of words) {
    if (STOP.has(w) || w === 'num' || w === 'id' || w === 'url' || w === 'email') continue;
    const h = murmurhash3(encoder.encode(stemWord(w)), (seed + SEED_TERM) >>> 0);
    ids.add(1 + (h % ((1 << bits) - 1)));
  }
  return Int32Array.from(ids).sort();
}

/** Smoothed IDF per term bucket over a corpus of term sets: ln((1+n)/(1+df)) + 1, 0 for unseen terms' weight floor. */
export function termIdf(corpus: readonly Int32Array[], bits: number): Float32Array {
  const df = new Float64Array(1 << bits);
  for (const terms of corpus) for (const t of terms) df[t]! += 1;
  const n = corpus.length;
  return Float32Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
}

/** Overlap of a question's terms with an answer's: count and IDF-weighted count. */
export function overlap(
  question: Int32Array,
  answer: Int32Array,
  idf: Float32Array,
): { count: number; weighted: number } {
  let i = 0;
  let j = 0;
  let count = 0;
  let weighted = 0;
  while (i < question.length && j < answer.length) {
    const q = question[i]!;
    const a = answer[j]!;
    if (q === a) {
      count++;
      weighted += idf[q]!;
      i++;
      j++;
    } else if (q < a) i++;
    else j++;
  }
  return { count, weighted };
}
