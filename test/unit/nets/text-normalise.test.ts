import { describe, expect, it } from 'vitest';
import {
  fixLayout,
  looksTransliteratedRussian,
  normalise,
  normaliseText,
  repairScript,
  transliterate,
} from '../../../src/nets/text-normalise.js';

describe('fixLayout', () => {
  it('repairs Russian typed on the English layout', () => {
    expect(fixLayout('rfhnf yt ghbikf')).toEqual({ text: 'карта не пришла', swapped: 'latin-to-cyrillic' });
    expect(fixLayout('vjz rfhnf gjnthzkfcm').text).toBe('моя карта потерялась');
  });

  it('maps the punctuation keys that are Russian letters (б, ю, ж, э, х, ъ)', () => {
    expect(fixLayout('cgfcb,j').text).toBe('спасибо');
    expect(fixLayout('gjkextybt').text).toBe('получение');
    expect(fixLayout('Ult vjz rfhnf?').text).toBe('Где моя карта?');
  });

  it('keeps the punctuation a wrong-layout word ends with when it is punctuation', () => {
    expect(fixLayout('ghbdtn, rfr ltkf').text).toBe('привет, как дела');
  });

  it('repairs English typed on the Russian layout', () => {
    expect(fixLayout('ыщьуерштп')).toEqual({ text: 'something', swapped: 'cyrillic-to-latin' });
    expect(fixLayout('рщц ьгср ещ сфтсуд ьн сфкв').text).toBe('how much to cancel my card');
  });

  it('leaves English, Russian, brand names, codes and mixed text alone', () => {
    for (const text of [
      'I lost my card',
      'Where is my card?',
      'can i get a refund',
      'my card was stolen yesterday',
      'Мою карту украли, заблокируйте её срочно',
      'карта Visa не работает',
      'Google Pay не работает',
      'Apple Pay',
      'PIN',
      'SWIFT IBAN',
      'Mastercard',
      'Revolut',
      'ATM',
      'code 12345 abc',
      'a',
      'ok',
      'да',
      'нет',
      'не пришла карта',
      'exchange rate',
      'top up',
      // Words that read better rewritten on their own, inside text that reads well as typed.
      'Почему с меня берут больше?',
      'Can I choose my card scheme?',
      'how do VR cards work',
      'NFC-платеж не будет работать в автобусе',
      'I tried to buy a golf club off eBay',
      'Вчера я пытался купить клюшку для гольфа на eBay',
    ]) {
      expect(fixLayout(text), text).toEqual({ text, swapped: null });
    }
  });
});

describe('transliteration', () => {
  it('spells Latin-letter Russian in Cyrillic', () => {
    expect(transliterate('privet, gde moya karta')).toBe('привет, где моя карта');
    expect(transliterate('zablokiruyte kartu')).toBe('заблокируйте карту');
    expect(transliterate('ya poteryal kartu')).toBe('я потерял карту');
    expect(transliterate('Moy schet')).toBe('Мой счет');
  });

  it('recognises transliterated Russian, not English or wrong-layout text', () => {
    expect(looksTransliteratedRussian('privet, gde moya karta')).toBe(true);
    expect(looksTransliteratedRussian('kogda pridet moya karta')).toBe(true);
    expect(looksTransliteratedRussian('I lost my card')).toBe(false);
    expect(looksTransliteratedRussian('where is my money')).toBe(false);
    expect(looksTransliteratedRussian('rfhnf yt ghbikf')).toBe(false);
    expect(looksTransliteratedRussian('Can third party fees affect a transfer?')).toBe(false);
    expect(looksTransliteratedRussian('Will my GPB update my salary')).toBe(false);
    expect(looksTransliteratedRussian('Мою карту украли')).toBe(false);
  });
});

describe('normaliseText', () => {
  it('folds case and ё, and repairs layout and transliteration before it', () => {
    expect(normaliseText('Ёлка')).toBe('елка');
    expect(normaliseText('RFHNF YT GHBIKF')).toBe('карта не пришла');
    expect(normaliseText('privet, gde moya karta')).toBe('привет, где моя карта');
    expect(normaliseText('карта Visa не работает')).toBe('карта visa не работает');
  });

  it('keeps the placeholders of normalise', () => {
    expect(normaliseText('Order #A-1234567 cost 12.50')).toBe(normalise('Order #A-1234567 cost 12.50'));
  });

  it('is what repairScript then normalise give, cut to the length asked', () => {
    const text = 'rfhnf yt ghbikf '.repeat(10_000);
    const out = normaliseText(text, 100);
    expect(out.startsWith('карта не пришла карта')).toBe(true);
    expect(Array.from(out).length).toBeLessThanOrEqual(100);
    expect(normaliseText('ghbdtn')).toBe(normalise(repairScript('ghbdtn')));
  });
});
