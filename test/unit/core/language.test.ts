import { describe, expect, it } from 'vitest';
import { detectLanguage, languageFromTag } from '../../../src/core/language.js';

describe('language detection', () => {
  it('tells Russian from English by the letters that dominate', () => {
    expect(detectLanguage('Где моя карта?')).toBe('ru');
    expect(detectLanguage('Where is my card?')).toBe('en');
    expect(detectLanguage('карта не пришла, order #123')).toBe('ru');
    expect(detectLanguage('my card has not come yet, спасибо')).toBe('en');
    expect(detectLanguage('Ёлки, не работает')).toBe('ru');
  });

  it('takes mixed-script text by its dominant script: a brand name does not make it English', () => {
    expect(detectLanguage('карта Visa не работает')).toBe('ru');
    expect(detectLanguage('Apple Pay не добавляется на iPhone')).toBe('ru');
    expect(detectLanguage('my Visa card was declined at the ATM')).toBe('en');
  });

  it('takes transliterated and wrong-layout Russian as Russian', () => {
    expect(detectLanguage('privet, gde moya karta')).toBe('ru');
    expect(detectLanguage('rfhnf yt ghbikf')).toBe('ru');
    expect(detectLanguage('Rfhnf yt hf,jnftn')).toBe('ru');
  });

  it('takes English typed on the Russian layout as English, and plain English stays English', () => {
    expect(detectLanguage('ьн сфкв рфы тще фккшмув')).toBe('en');
    expect(detectLanguage('I need a new card, mine expired')).toBe('en');
    expect(detectLanguage('please cancel the transfer I made today')).toBe('en');
  });

  it('says nothing for text without letters, so the conversation keeps its language', () => {
    expect(detectLanguage('👍 123 !!!')).toBeUndefined();
    expect(detectLanguage('')).toBeUndefined();
  });

  it('reads language tags and Accept-Language headers', () => {
    expect(languageFromTag('ru-RU,ru;q=0.9,en;q=0.8')).toBe('ru');
    expect(languageFromTag('de-DE,en;q=0.5')).toBe('en');
    expect(languageFromTag('fr')).toBeUndefined();
    expect(languageFromTag(undefined)).toBeUndefined();
  });

  it('reads a tag against the languages a bot speaks', () => {
    expect(languageFromTag('de-DE,en;q=0.5', ['de', 'en'])).toBe('de');
    expect(languageFromTag('uk', ['en', 'ru'])).toBeUndefined();
  });
});
