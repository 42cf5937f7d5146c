import { EN_TRIGRAMS, RU_TRIGRAMS } from './letter-model-data.js';

/**
 * Text normalisation before the vectoriser, for text as customers type it:
 * - {@link normalise}: Unicode NFKC, lower case, ё→е, placeholders for URLs, e-mails, ids and
 *   numbers, whitespace collapsed, cut to a length (what every net has always seen);
 * - {@link fixLayout}: text typed with the wrong keyboard layout ("rfhnf yt ghbikf" is "карта
 *   не пришла" typed on an English layout, "ыщьуерштп" is "something" typed on a Russian one);
 * - {@link transliterate} / {@link looksTransliteratedRussian}: Russian written in Latin letters
 *   ("privet, gde moya karta");
 * - {@link normaliseText}: all of it, in that order: what a vectoriser with `normalisation: 2`
 *   sees.
 *
 * Layout and transliteration are decided word by word with two letter-trigram models (English
 * and Russian, counted on the BANKING77 training files: `letter-model-data.ts`). A word is
 * rewritten only when the rewritten word reads clearly better in its language than the word as
 * typed reads in its own: brand names, codes and English words inside Russian text ("карта Visa
 * не работает") stay as they are.
 */

// ---------------------------------------------------------------------------------------------
// Basic normalisation (unchanged since the first nets: version 1 of the vectoriser uses it alone)

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/giu;
const EMAIL_RE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
const ALNUM_RE = /[#№]?[\p{L}\p{N}][\p{L}\p{N}_-]*/gu;
const NUMBER_RE = /(?<![\p{L}\p{N}])\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{N}])/gu;
const DIGIT_RE = /\p{N}/gu;
// Control and format characters (zero-width joiners, bidi marks) and every kind of space.
const SPACE_RE = /[\p{Cc}\p{Cf}\p{Z}\s]+/gu;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Default cap on a normalised text's length, in code points. */
export const DEFAULT_MAX_CHARS = 1000;

/** Replaces tokens with five or more digits (order ids, phones, cards) by `<id>`. */
function maskIds(token: string): string {
  return (token.match(DIGIT_RE)?.length ?? 0) >= 5 ? ' <id> ' : token;
}

/**
 * Normalises a text: Unicode NFKC, lower case, ё→е, URLs/e-mails/ids/numbers replaced by
 * `<url>`, `<email>`, `<id>`, `<num>`, whitespace collapsed, lone surrogates replaced by
 * U+FFFD, cut to `maxChars` code points.
 */
export function normalise(text: string, maxChars = DEFAULT_MAX_CHARS): string {
  // Cut the raw text first, so a 1 MB ticket costs no more than its head.
  let s = text.length > maxChars * 4 ? text.slice(0, maxChars * 4) : text;
  s = s.replace(LONE_SURROGATE_RE, '\uFFFD').normalize('NFKC').toLowerCase().replace(/ё/g, 'е');
  s = s.replace(URL_RE, ' <url> ').replace(EMAIL_RE, ' <email> ');
  s = s.replace(ALNUM_RE, maskIds).replace(NUMBER_RE, ' <num> ');
  s = s.replace(SPACE_RE, ' ').trim();
  if (s.length > maxChars) {
    const points = Array.from(s);
    if (points.length > maxChars) s = points.slice(0, maxChars).join('').trimEnd();
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Letter-trigram models

/** A letter-trigram model of one language's words, interpolated with bigrams and letters. */
class LetterModel {
  private readonly tri = new Map<string, number>();
  private readonly bi = new Map<string, number>();
  private readonly uni = new Map<string, number>();
  private readonly biContext = new Map<string, number>();
  private readonly uniContext = new Map<string, number>();
  private total = 0;

  constructor(
    table: string,
    private readonly alphabet: number,
  ) {
    for (const entry of table.split(' ')) {
      const g = entry.slice(0, 3);
      const n = Number(entry.slice(3));
      this.tri.set(g, n);
      this.biContext.set(g.slice(0, 2), (this.biContext.get(g.slice(0, 2)) ?? 0) + n);
      this.bi.set(g.slice(1), (this.bi.get(g.slice(1)) ?? 0) + n);
      this.uniContext.set(g[1]!, (this.uniContext.get(g[1]!) ?? 0) + n);
      this.uni.set(g[2]!, (this.uni.get(g[2]!) ?? 0) + n);
      this.total += n;
    }
  }

  /** Log-probability per letter (and end of word) of a lower-case word, in nats. */
  score(word: string): number {
    const padded = `^^${word}$`;
    let sum = 0;
    for (let i = 2; i < padded.length; i++) {
      const c = padded[i]!;
      const ctx2 = padded.slice(i - 2, i);
      const ctx1 = padded[i - 1]!;
      const p1 = ((this.uni.get(c) ?? 0) + 0.5) / (this.total + 0.5 * (this.alphabet + 1));
      const n1 = this.uniContext.get(ctx1) ?? 0;
      const p2 = n1 > 0 ? (this.bi.get(ctx1 + c) ?? 0) / n1 : 0;
      const n2 = this.biContext.get(ctx2) ?? 0;
      const p3 = n2 > 0 ? (this.tri.get(ctx2 + c) ?? 0) / n2 : 0;
      sum += Math.log(0.6 * p3 + 0.3 * p2 + 0.1 * p1);
    }
    return sum / (padded.length - 2);
  }
}

let models: { en: LetterModel; ru: LetterModel } | undefined;
function letterModels(): { en: LetterModel; ru: LetterModel } {
  models ??= { en: new LetterModel(EN_TRIGRAMS, 27), ru: new LetterModel(RU_TRIGRAMS, 32) };
  return models;
}

// ---------------------------------------------------------------------------------------------
// Keyboard layouts (US QWERTY ↔ Russian ЙЦУКЕН, same keys)

const LATIN_KEYS = 'qwertyuiop[]asdfghjkl;\'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>~';
const CYRILLIC_KEYS = 'йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ';
const LATIN_TO_CYRILLIC = new Map([...LATIN_KEYS].map((c, i) => [c, CYRILLIC_KEYS[i]!]));
const CYRILLIC_TO_LATIN = new Map([...CYRILLIC_KEYS].map((c, i) => [c, LATIN_KEYS[i]!]));

/** A Latin word as typed on the Russian layout's keys (letters plus the keys of х ъ ж э б ю ё). */
const LATIN_WORD_RE = /[a-zA-Z[\]{};:'"`~,.<>]*[a-zA-Z][a-zA-Z[\]{};:'"`~,.<>]*/g;
const CYRILLIC_WORD_RE = /[а-яёА-ЯЁ]+/g;
const HAS_DIGIT = /\d/;

function swapChars(word: string, map: Map<string, string>): string {
  let out = '';
  for (const c of word) out += map.get(c) ?? c;
  return out;
}

/** Letters of a word for scoring: lower case, ё→е, only the model's alphabet. */
function lettersOf(word: string, script: 'en' | 'ru'): string {
  const lower = word.toLowerCase().replace(/ё/g, 'е');
  return script === 'en' ? lower.replace(/[^a-z']/g, '') : lower.replace(/[^а-я]/g, '');
}

/** How much better a rewritten word reads (nats per letter) than the word as typed. */
function gain(typed: string, typedLang: 'en' | 'ru', rewritten: string, rewrittenLang: 'en' | 'ru'): number {
  const m = letterModels();
  const a = lettersOf(typed, typedLang);
  const b = lettersOf(rewritten, rewrittenLang);
  if (a.length === 0 || b.length === 0) return Number.NEGATIVE_INFINITY;
  return m[rewrittenLang].score(b) - m[typedLang].score(a);
}

/**
 * Letter-weighted mean gain (nats per letter) a text's words must show together to be rewritten:
 * a wrong layout or transliteration is a way of typing a whole text (or a run of it), so one word
 * that happens to read better rewritten ("берут" → ",then") does not count on its own.
 */
const TEXT_MARGIN = 0.8;
/** Gains are clipped to ±this before averaging, so one odd word cannot outvote the rest. */
const GAIN_CLIP = 3;

interface Candidate {
  start: number;
  end: number;
  rewritten: string;
  gain: number;
  letters: number;
}

// Word scores are the costliest part and a desk's vocabulary is small: keep recent ones.
const CACHE_LIMIT = 50_000;
function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/**
 * Rewrites the words a regex finds when, taken together, they read clearly better rewritten
 * (letter-weighted mean gain above {@link TEXT_MARGIN}); then every word that gains is
 * rewritten. Words with digits and short all-capital words (NFC, ETA, VR) in a text that is not
 * all capitals are abbreviations: they neither vote nor change.
 */
function rewriteWords(
  text: string,
  re: RegExp,
  rewrite: (word: string) => { rewritten: string; gain: number },
): { text: string; changed: boolean } {
  const shouting = text === text.toUpperCase();
  const cands: Candidate[] = [];
  for (const m of text.matchAll(re)) {
    const typed = m[0];
    if (HAS_DIGIT.test(typed)) continue;
    const bare = typed.replace(/[^\p{L}]/gu, '');
    if (!shouting && bare.length <= 4 && bare.length > 1 && bare === bare.toUpperCase()) continue;
    const r = rewrite(typed);
    const cand: Candidate = {
      start: m.index!,
      end: m.index! + typed.length,
      rewritten: r.rewritten,
      gain: r.gain,
      letters: typed.length,
    };
    // Keep the punctuation a word ends with when the rewrite without it reads as well.
    const trimmed = typed.replace(/[,.]+$/, '');
    if (trimmed !== typed && trimmed.length > 0) {
      const rt = rewrite(trimmed);
      if (rt.gain >= r.gain) {
        cand.end = m.index! + trimmed.length;
        cand.rewritten = rt.rewritten;
        cand.gain = rt.gain;
        cand.letters = trimmed.length;
      }
    }
    if (Number.isFinite(cand.gain)) cands.push(cand);
  }
  if (cands.length === 0) return { text, changed: false };
  let weighted = 0;
  let letters = 0;
  for (const c of cands) {
    weighted += Math.max(-GAIN_CLIP, Math.min(GAIN_CLIP, c.gain)) * c.letters;
    letters += c.letters;
  }
  if (weighted / letters <= TEXT_MARGIN) return { text, changed: false };
  const take = cands.filter((c) => c.gain > 0);
  let out = '';
  let at = 0;
  for (const c of take) {
    out += text.slice(at, c.start) + c.rewritten;
    at = c.end;
  }
  return { text: out + text.slice(at), changed: take.length > 0 };
}

type Rewrite = { rewritten: string; gain: number };
const layoutCache = new Map<string, Rewrite>();
const toCyrillicLayout = (w: string): Rewrite =>
  cached(layoutCache, `c${w}`, () => {
    const rewritten = swapChars(w, LATIN_TO_CYRILLIC);
    return { rewritten, gain: gain(w, 'en', rewritten, 'ru') };
  });
const toLatinLayout = (w: string): Rewrite =>
  cached(layoutCache, `l${w}`, () => {
    const rewritten = swapChars(w, CYRILLIC_TO_LATIN);
    return { rewritten, gain: gain(w, 'ru', rewritten, 'en') };
  });

/** Which way {@link fixLayout} swapped a text's words, if it did. */
export type LayoutSwap = 'latin-to-cyrillic' | 'cyrillic-to-latin' | null;

/**
 * Repairs words typed with the wrong keyboard layout, in both directions: Latin words that read
 * as Russian once mapped key for key to the Russian layout, and Cyrillic words that read as
 * English mapped to the US layout. Words that read well as typed stay.
 */
export function fixLayout(text: string): { text: string; swapped: LayoutSwap } {
  const toCyr = rewriteWords(text, LATIN_WORD_RE, toCyrillicLayout);
  if (toCyr.changed) return { text: toCyr.text, swapped: 'latin-to-cyrillic' };
  const toLat = rewriteWords(text, CYRILLIC_WORD_RE, toLatinLayout);
  if (toLat.changed) return { text: toLat.text, swapped: 'cyrillic-to-latin' };
  return { text, swapped: null };
}

// ---------------------------------------------------------------------------------------------
// Transliteration (Russian in Latin letters → Cyrillic)

// Longest first: multi-letter spellings before single letters.
const TRANSLIT: Array<[string, string]> = [
  ['shch', 'щ'],
  ['zh', 'ж'],
  ['kh', 'х'],
  ['ts', 'ц'],
  ['ch', 'ч'],
  ['sh', 'ш'],
  ['yo', 'ё'],
  ['jo', 'ё'],
  ['yu', 'ю'],
  ['ju', 'ю'],
  ['ya', 'я'],
  ['ja', 'я'],
  ['ye', 'е'],
  ['a', 'а'],
  ['b', 'б'],
  ['v', 'в'],
  ['w', 'в'],
  ['g', 'г'],
  ['d', 'д'],
  ['e', 'е'],
  ['z', 'з'],
  ['i', 'и'],
  ['j', 'й'],
  ['k', 'к'],
  ['q', 'к'],
  ['l', 'л'],
  ['m', 'м'],
  ['n', 'н'],
  ['o', 'о'],
  ['p', 'п'],
  ['r', 'р'],
  ['s', 'с'],
  ['t', 'т'],
  ['u', 'у'],
  ['f', 'ф'],
  ['h', 'х'],
  ['c', 'ц'],
  ['x', 'кс'],
  ["'", 'ь'],
];
const VOWELS = new Set('aeiouyаеиоуыэюяё');

/** Transliterates one lower-case Latin word to Cyrillic (practical, GOST-like spellings). */
function transliterateWord(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; ) {
    const c = word[i]!;
    // "y": ы after a consonant ("my" → мы), й after a vowel or at the start before a consonant.
    if (c === 'y' && !'aeuo'.includes(word[i + 1] ?? '#')) {
      const prev = out[out.length - 1];
      out += prev !== undefined && !VOWELS.has(prev) && prev !== 'ь' ? 'ы' : 'й';
      i++;
      continue;
    }
    const rule = TRANSLIT.find(([lat]) => word.startsWith(lat, i));
    if (rule) {
      out += rule[1];
      i += rule[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Transliterates the Latin words of a text to Cyrillic, keeping case where it can. */
export function transliterate(text: string): string {
  return text.replace(/[A-Za-z']*[A-Za-z][A-Za-z']*/g, (w) => {
    const lower = w.toLowerCase();
    const cyr = transliterateWord(lower);
    if (w === lower) return cyr;
    if (w === w.toUpperCase() && w.length > 1) return cyr.toUpperCase();
    return cyr[0]!.toUpperCase() + cyr.slice(1);
  });
}

const TRANSLIT_WORD_RE = /[A-Za-z']*[A-Za-z][A-Za-z']*/g;

const translitCache = new Map<string, Rewrite>();
function translitRewrite(w: string): Rewrite {
  return cached(translitCache, w, () => {
    const rewritten = transliterate(w);
    return { rewritten, gain: gain(w, 'en', rewritten, 'ru') };
  });
}

/**
 * True when the text's Latin words, taken together, read clearly better as transliterated
 * Russian (and not as Russian typed on the wrong layout, which {@link fixLayout} repairs).
 */
export function looksTransliteratedRussian(text: string): boolean {
  if (fixLayout(text).swapped === 'latin-to-cyrillic') return false;
  return rewriteWords(text, TRANSLIT_WORD_RE, translitRewrite).changed;
}

/** Rewrites the Latin words of a text that read as transliterated Russian; the rest stay. */
export function fixTransliteration(text: string): { text: string; changed: boolean } {
  return rewriteWords(text, TRANSLIT_WORD_RE, translitRewrite);
}

/**
 * Repairs the script of a text: a wrong keyboard layout first, then transliteration (of what
 * the layout repair left in Latin letters). Case and punctuation are kept.
 */
export function repairScript(text: string): string {
  const layout = fixLayout(text);
  return fixTransliteration(layout.text).text;
}

/** What a vectoriser with `normalisation: 2` sees: {@link repairScript}, then {@link normalise}. */
export function normaliseText(text: string, maxChars = DEFAULT_MAX_CHARS): string {
  // Repair only the head that normalise keeps, so a 1 MB ticket costs no more than its head.
  const head = text.length > maxChars * 4 ? text.slice(0, maxChars * 4) : text;
  return normalise(repairScript(head), maxChars);
}
