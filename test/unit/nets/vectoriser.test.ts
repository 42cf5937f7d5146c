import { describe, expect, it } from 'vitest';
import { DEFAULT_VECTORISER_SETTINGS, normalise, Vectoriser } from '../../../src/nets/vectoriser.js';

const v = new Vectoriser();
const trigramLimit = 2 ** DEFAULT_VECTORISER_SETTINGS.trigramBits;
const bagLimit = 2 ** DEFAULT_VECTORISER_SETTINGS.bag!.bits;

function inRange(ids: Int32Array, limit: number): boolean {
  return ids.every((id) => id >= 1 && id < limit);
}

describe('normalise', () => {
  it('lower-cases, applies NFKC, folds ё into е and collapses whitespace', () => {
    expect(normalise('  Ёлка\t\tи  ЁЖ\n\nﬁle ①  ')).toBe('елка и еж file <num>');
  });

  it('replaces URLs, e-mails, order ids and numbers by placeholders', () => {
    expect(normalise('see https://shop.example.com/a?b=1 or www.x.org, mail ann.lee@mail.ru')).toBe(
      'see <url> or <url> mail <email>',
    );
    expect(normalise('Order #A-1234567 cost 12.50 after 2 weeks')).toBe(
      'order <id> cost <num> after <num> weeks',
    );
  });

  it('keeps short alphanumeric words such as 3ds or p2p', () => {
    expect(normalise('3DS and P2P')).toBe('3ds and p2p');
  });

  it('replaces lone surrogates instead of failing', () => {
    expect(normalise('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
  });

  it('turns an empty or blank text into an empty string', () => {
    expect(normalise('')).toBe('');
    expect(normalise(' \n\t\u200b ')).toBe('');
  });
});

describe('vectoriser', () => {
  it('gives one trigram per character of a space-padded text, in range', () => {
    const f = v.featurize('card');
    // " card " has 6 code points, so 4 trigrams: " ca", "car", "ard", "rd ".
    expect(f.sequence.length).toBe(4);
    expect(inRange(f.sequence, trigramLimit)).toBe(true);
    expect(inRange(f.bagIds, bagLimit)).toBe(true);
  });

  it('treats Cyrillic, Latin and mixed texts alike, by code point', () => {
    const ru = v.featurize('карта не пришла');
    const en = v.featurize('card not arrived');
    const mixed = v.featurize('карта card');
    expect(ru.sequence.length).toBe('карта не пришла'.length);
    expect(en.sequence.length).toBe('card not arrived'.length);
    expect(mixed.sequence.length).toBe('карта card'.length);
    // The mixed text shares trigrams with each language.
    const has = (a: Int32Array, b: Int32Array) => [...a].some((id) => b.includes(id));
    expect(has(mixed.sequence, ru.sequence)).toBe(true);
    expect(has(mixed.sequence, en.sequence)).toBe(true);
  });

  it('stems Russian and English words with the stemmer of their script', () => {
    expect(v.words('карточки cards running')).toEqual(['карточк', 'card', 'run']);
    expect(v.featurize('карточки').bagIds).toEqual(v.featurize('карточки').bagIds);
    const wordsOnly = new Vectoriser({
      ...DEFAULT_VECTORISER_SETTINGS,
      bag: { ...DEFAULT_VECTORISER_SETTINGS.bag!, charMax: 0, wordBigrams: false },
    });
    expect(wordsOnly.featurize('cards').bagIds).toEqual(wordsOnly.featurize('card').bagIds);
  });

  it('counts emoji as characters and words, not as UTF-16 halves', () => {
    const f = v.featurize('😀');
    expect(f.sequence.length).toBe(1);
    expect(v.words('thanks 😀')).toEqual(['thank', '😀']);
  });

  it('gives no features for an empty text', () => {
    const f = v.featurize('');
    expect(f.sequence.length).toBe(0);
    expect(f.bagIds.length).toBe(0);
  });

  it('handles lone surrogates without throwing', () => {
    const f = v.featurize('\uDC00card\uD800');
    expect(f.sequence.length).toBe(6);
    expect(inRange(f.sequence, trigramLimit)).toBe(true);
  });

  it('classifies a 1 MB text from its head, quickly', () => {
    const start = performance.now();
    const f = v.featurize('my card was declined '.repeat(50_000));
    expect(performance.now() - start).toBeLessThan(500);
    expect(f.sequence.length).toBe(DEFAULT_VECTORISER_SETTINGS.maxChars);
    expect(f.sequence.slice(0, 10)).toEqual(v.featurize('my card was declined').sequence.slice(0, 10));
  });

  it('returns distinct bag ids in ascending order with their counts', () => {
    const f = v.featurize('card card card');
    expect([...f.bagIds]).toEqual([...f.bagIds].sort((a, b) => a - b));
    expect(new Set(f.bagIds).size).toBe(f.bagIds.length);
    const wordsOnly = new Vectoriser({
      ...DEFAULT_VECTORISER_SETTINGS,
      bag: { ...DEFAULT_VECTORISER_SETTINGS.bag!, charMax: 0, wordBigrams: false },
    });
    const w = wordsOnly.featurize('card card card');
    expect([...w.bagCounts]).toEqual([3]);
  });

  it('gives other ids for another seed, the same ids for the same settings', () => {
    const other = new Vectoriser({ ...DEFAULT_VECTORISER_SETTINGS, seed: 42 });
    expect(other.featurize('card').sequence).not.toEqual(v.featurize('card').sequence);
    expect(Vectoriser.fromJSON(JSON.parse(JSON.stringify(v))).featurize('card')).toEqual(v.featurize('card'));
  });

  it('refuses stored settings with a message naming the bad field', () => {
    expect(() => Vectoriser.fromJSON({ ...DEFAULT_VECTORISER_SETTINGS, trigramBits: 40 })).toThrow(
      /trigramBits/,
    );
  });
});
