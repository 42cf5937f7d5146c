import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/nets/random.js';
import { fixLayout, normaliseText } from '../../../src/nets/text-normalise.js';
import {
  addTypos,
  NOISY_TEST_RATES,
  noisyCopy,
  romanise,
  wrongLayout,
} from '../../../training/classifier/noise.js';

const data = {
  texts: Array.from({ length: 400 }, (_, i) =>
    i % 2
      ? `Моя карта ${i} не пришла, где она сейчас находится?`
      : `My card ${i} has not arrived, where is it now?`,
  ),
  labels: Array.from({ length: 400 }, () => 'card_arrival'),
};

describe('noise as customers type', () => {
  it('types on the other layout in both directions, and repairs back', () => {
    expect(wrongLayout('карта не пришла')).toBe('rfhnf yt ghbikf');
    expect(wrongLayout('something')).toBe('ыщьуерштп');
    expect(fixLayout(wrongLayout('где моя карта')).text).toBe('где моя карта');
  });

  it('writes Russian in Latin letters, which the normaliser reads back as Russian', () => {
    expect(romanise('Привет, где моя карта')).toBe('Privet, gde moya karta');
    expect(normaliseText(romanise('где моя карта'))).toBe('где моя карта');
  });

  it('adds one typo per 20 letters', () => {
    const text = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn'; // 40 letters: two typos
    const out = addTypos(text, 20, seededRandom(3));
    expect(out).not.toBe(text);
    expect(Math.abs(out.length - text.length)).toBeLessThanOrEqual(2);
  });

  it('makes the same copy for the same seed, at the stated rates', () => {
    const a = noisyCopy(data, NOISY_TEST_RATES, 1);
    const b = noisyCopy(data, NOISY_TEST_RATES, 1);
    expect(a).toEqual(b);
    expect(noisyCopy(data, NOISY_TEST_RATES, 2).texts).not.toEqual(a.texts);
    // Every text gets typos (a swap of two equal letters changes nothing, hence not all).
    expect(a.texts.filter((t, i) => t !== data.texts[i]).length).toBeGreaterThan(390);
    const share = (k: string) => a.kinds.filter((x) => x === k).length / a.kinds.length;
    expect(share('wrong-layout')).toBeGreaterThan(0.05);
    expect(share('wrong-layout')).toBeLessThan(0.15);
    // Only Russian texts (half of them) are transliterated: ~10 % of those, ~5 % of all.
    expect(share('transliterated')).toBeGreaterThan(0.02);
    expect(share('transliterated')).toBeLessThan(0.09);
    for (const [i, k] of a.kinds.entries())
      if (k === 'transliterated') expect(data.texts[i]).toMatch(/[а-я]/);
  });
});
