import { describe, expect, it } from 'vitest';
import { contentTerms, overlap, termIdf } from '../../../src/nets/qa/lexical.js';
import { stemWord } from '../../../src/nets/stemmers.js';

const SEED = 0x5eed;
const BITS = 18;
const terms = (text: string, normalisation: 1 | 2 = 1) => contentTerms(text, SEED, BITS, 1000, normalisation);
const shared = (a: string, b: string, normalisation: 1 | 2 = 1) => {
  const x = terms(a, normalisation);
  const y = terms(b, normalisation);
  return overlap(x, y, termIdf([x, y], BITS)).count;
};

describe('lexical overlap of answer scoring', () => {
  it('stems Russian words with the Russian stemmer: inflected forms of a word count as one', () => {
    for (const w of ['карта', 'карту', 'картой', 'карты']) expect(stemWord(w)).toBe('карт');
    expect(stemWord('заблокируйте')).toBe(stemWord('заблокируйте'.replace('йте', 'й')));
    expect(
      shared('Мою карту украли', 'Если карта потеряна или украдена, заморозьте её'),
    ).toBeGreaterThanOrEqual(1);
    expect(shared('Как сменить PIN-код карты?', 'Сменить PIN-код можно в любом банкомате')).toBe(3);
  });

  it('stems English as before, and leaves Russian and English words apart', () => {
    expect(stemWord('cards')).toBe('card');
    expect(stemWord('running')).toBe('run');
    expect(shared('my cards were declined', 'A declined card payment can be retried')).toBe(2);
    expect(shared('карта отклонена', 'card declined')).toBe(0);
  });

  it('leaves stop words out in both languages', () => {
    expect(terms('и в на the of to')).toHaveLength(0);
  });

  it('with the net set to repair layouts, reads Russian typed on the wrong layout as Russian', () => {
    // "rfhnf yt ghbikf" is "карта не пришла" typed with the English layout.
    expect(shared('rfhnf yt ghbikf', 'Карта не пришла? Напишите нам', 2)).toBe(3);
    expect(shared('rfhnf yt ghbikf', 'Карта не пришла? Напишите нам', 1)).toBe(0);
    expect([...terms('privet, gde moya karta', 2)]).toEqual([...terms('привет, где моя карта', 2)]);
  });
});
