import { repairScript } from '../nets/text-normalise.js';

/**
 * The language of a customer's text. Languages are data: a bot's file names the languages it
 * speaks (its reply templates) and a language is a plain BCP 47 primary subtag (`en`, `ru`).
 * Support messages are short and often mixed ("карта Visa не работает", "order #123"), so the
 * script that dominates the letters decides, as a word-list model would not on five words;
 * and since customers type Russian in Latin letters ("privet, gde moya karta") or on the wrong
 * keyboard layout ("rfhnf yt ghbikf"), the letters are counted after the text normaliser has
 * repaired what reads clearly better repaired (`src/nets/text-normalise.ts`).
 */

/** A language code: a BCP 47 primary subtag such as `en` or `ru`. */
export type Language = string;

/** The languages {@link detectLanguage} can tell apart, by script: Cyrillic is Russian, Latin English. */
export const DETECTABLE_LANGUAGES: readonly Language[] = ['en', 'ru'];

const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /\p{Script=Latin}/u;
// Only the head matters, and a bound keeps a megabyte of text cheap.
const HEAD = 500;

function letterCounts(text: string): { cyrillic: number; latin: number } {
  let cyrillic = 0;
  let latin = 0;
  for (const ch of text) {
    if (CYRILLIC.test(ch)) cyrillic++;
    else if (LATIN.test(ch)) latin++;
  }
  return { cyrillic, latin };
}

/**
 * `ru` or `en` for a text with letters; undefined when it has none (emoji, digits), so the
 * caller keeps what it knew. Transliterated and wrong-layout Russian is Russian; English typed
 * on the Russian layout is English.
 */
export function detectLanguage(text: string): Language | undefined {
  const head = text.slice(0, HEAD);
  const raw = letterCounts(head);
  if (raw.cyrillic === 0 && raw.latin === 0) return undefined;
  const { cyrillic, latin } = letterCounts(repairScript(head));
  return cyrillic >= latin ? 'ru' : 'en';
}

/**
 * The first language of an `Accept-Language` header or a BCP 47 tag that is among `supported`
 * (by default the detectable ones), if any.
 */
export function languageFromTag(
  tag: string | undefined,
  supported: readonly Language[] = DETECTABLE_LANGUAGES,
): Language | undefined {
  if (!tag) return undefined;
  for (const part of tag.split(',')) {
    const primary = part.split(';')[0]?.trim().toLowerCase().split('-')[0];
    if (primary && supported.includes(primary)) return primary;
  }
  return undefined;
}
