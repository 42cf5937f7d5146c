/**
 * Russian or English, from the letters of a text. Support messages are short and often
 * mixed ("карта не пришла, order #123"), so a script count is more robust here than a
 * word-list model: the script that dominates the letters decides.
 */

/** The languages the reply templates come in. */
export type TemplateLanguage = 'en' | 'ru';

const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /\p{Script=Latin}/u;

/** `ru` or `en` for a text with letters; undefined when it has none (emoji, digits), so the caller keeps what it knew. */
export function detectLanguage(text: string): TemplateLanguage | undefined {
  let cyrillic = 0;
  let latin = 0;
  // Only the head matters and a bound keeps a megabyte of text cheap.
  for (const ch of text.slice(0, 2000)) {
    if (CYRILLIC.test(ch)) cyrillic++;
    else if (LATIN.test(ch)) latin++;
  }
  if (cyrillic === 0 && latin === 0) return undefined;
  return cyrillic >= latin ? 'ru' : 'en';
}

/** The first supported language of an `Accept-Language` header or a BCP 47 tag, if any. */
export function languageFromTag(tag: string | undefined): TemplateLanguage | undefined {
  if (!tag) return undefined;
  for (const part of tag.split(',')) {
    const primary = part.split(';')[0]?.trim().toLowerCase().split('-')[0];
    if (primary === 'ru' || primary === 'en') return primary;
  }
  return undefined;
}
