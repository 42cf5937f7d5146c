import { type Random, seededRandom } from '../../src/nets/random.js';
import type { LabelledData } from '../data.js';

/**
 * Seeded noise as customers type: typos, the wrong keyboard layout, Russian in Latin letters.
 * The bench scores nets on a noisy copy of each test set built this way; training can mix
 * noisy copies of its rows in (`augmentNoisy`). The same seed always gives the same copy.
 */
export interface NoiseRates {
  /** One typo per this many letters of a text (rounded, at least one for a text with letters). */
  lettersPerTypo: number;
  /** Share of texts typed in the wrong keyboard layout (the whole text). */
  wrongLayout: number;
  /** Share of Russian texts written in Latin letters (other texts are never picked for it). */
  transliterated: number;
}

/** The rates of the noisy test copy. */
export const NOISY_TEST_RATES: NoiseRates = { lettersPerTypo: 20, wrongLayout: 0.1, transliterated: 0.1 };

const QWERTY = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const JCUKEN = ['йцукенгшщзхъ', 'фывапролджэ', 'ячсмитьбю'];
const NEIGHBOURS = new Map<string, string>();
for (const row of [...QWERTY, ...JCUKEN]) {
  for (let i = 0; i < row.length; i++) NEIGHBOURS.set(row[i]!, (row[i - 1] ?? '') + (row[i + 1] ?? ''));
}

const LATIN_KEYS = 'qwertyuiop[]asdfghjkl;\'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>~';
const CYRILLIC_KEYS = 'йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ';
const TO_CYRILLIC = new Map([...LATIN_KEYS].map((c, i) => [c, CYRILLIC_KEYS[i]!]));
const TO_LATIN = new Map([...CYRILLIC_KEYS].map((c, i) => [c, LATIN_KEYS[i]!]));

// Informal Latin spellings of Russian letters, as people type them in chats.
const ROMAN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'yo',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

const LETTER = /\p{L}/u;
const CYRILLIC = /[а-яё]/i;

/** Types a text on the other layout's keys: Russian on the English layout, English on the Russian one. */
export function wrongLayout(text: string): string {
  const cyr = (text.match(/[а-яё]/gi) ?? []).length;
  const lat = (text.match(/[a-z]/gi) ?? []).length;
  const map = cyr >= lat ? TO_LATIN : TO_CYRILLIC;
  let out = '';
  for (const c of text) out += map.get(c) ?? c;
  return out;
}

/** Writes the Cyrillic letters of a text in Latin letters, the way people do in chats. */
export function romanise(text: string): string {
  let out = '';
  for (const c of text) {
    const lower = c.toLowerCase();
    const r = ROMAN[lower];
    if (r === undefined) out += c;
    else out += c === lower ? r : r.charAt(0).toUpperCase() + r.slice(1);
  }
  return out;
}

/** One typo at a random letter: drop it, double it, swap it with the next, or hit a neighbouring key. */
function typo(chars: string[], rng: Random): string[] {
  const letters = chars.map((c, i) => (LETTER.test(c) ? i : -1)).filter((i) => i >= 0);
  if (letters.length === 0) return chars;
  const at = letters[Math.floor(rng.next() * letters.length)]!;
  const kind = Math.floor(rng.next() * 4);
  const out = chars.slice();
  const c = out[at]!;
  if (kind === 0) out.splice(at, 1);
  else if (kind === 1) out.splice(at, 0, c);
  else if (kind === 2 && at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1]!, c];
  else {
    const near = NEIGHBOURS.get(c.toLowerCase());
    if (near) {
      const k = near[Math.floor(rng.next() * near.length)]!;
      out[at] = c === c.toLowerCase() ? k : k.toUpperCase();
    } else out.splice(at, 1);
  }
  return out;
}

/** A text with typos at the given rate (one per `lettersPerTypo` letters, at least one). */
export function addTypos(text: string, lettersPerTypo: number, rng: Random): string {
  let chars = Array.from(text);
  const letters = chars.filter((c) => LETTER.test(c)).length;
  if (letters === 0) return text;
  const n = Math.max(1, Math.round(letters / lettersPerTypo));
  for (let i = 0; i < n; i++) chars = typo(chars, rng);
  return chars.join('');
}

/** What was done to each text of a noisy copy. */
export type NoiseKind = 'typos' | 'wrong-layout' | 'transliterated';

/**
 * A seeded noisy copy of labelled data: every text gets typos; a `wrongLayout` share of texts is
 * then typed on the other layout, and a `transliterated` share of the Russian texts written in
 * Latin letters (the two shares do not overlap).
 */
export function noisyCopy(
  data: LabelledData,
  rates: NoiseRates,
  seed: number,
): LabelledData & { kinds: NoiseKind[] } {
  const rng = seededRandom(seed);
  const kinds: NoiseKind[] = [];
  const texts = data.texts.map((text) => {
    let t = addTypos(text, rates.lettersPerTypo, rng);
    const u = rng.next();
    let kind: NoiseKind = 'typos';
    if (u < rates.wrongLayout) {
      t = wrongLayout(t);
      kind = 'wrong-layout';
    } else if (u < rates.wrongLayout + rates.transliterated && CYRILLIC.test(text)) {
      t = romanise(t);
      kind = 'transliterated';
    }
    kinds.push(kind);
    return t;
  });
  return { texts, labels: data.labels.slice(), kinds };
}
