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
});
