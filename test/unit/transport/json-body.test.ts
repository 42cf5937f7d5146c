import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../src/transport/http/body.js';

const refusal = (text: string) => {
  try {
    parseJsonText(text);
    return undefined;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
};

describe('JSON from clients', () => {
  it('refuses a lone surrogate in a string or a key, high or low', () => {
    for (const text of [
      '{"text":"a\\ud800b"}',
      '{"text":"\\udc00"}',
      '{"a\\ud83d":1}',
      '["\\ude00\\ud83d"]',
    ]) {
      expect(refusal(text)).toEqual({
        code: 'invalid_json',
        message: 'JSON string has a lone surrogate: not valid Unicode text',
      });
    }
  });

  it('takes surrogate pairs, NUL, direction marks, combining marks and both normal forms as sent', () => {
    const text = `x\\ud83d\\ude00\\u0000\u202e${'\u0301'.repeat(1000)}café cafe\u0301`;
    expect(parseJsonText(`{"text":"${text}"}`)).toEqual({
      text: `x😀\u0000\u202e${'\u0301'.repeat(1000)}café cafe\u0301`,
    });
  });

  it('still refuses __proto__ keys and deep nesting', () => {
    expect(refusal('{"a":{"__proto__":{"x":1}}}')?.code).toBe('invalid_json');
    expect(refusal(`${'['.repeat(65)}${']'.repeat(65)}`)?.message).toBe(
      'JSON is nested deeper than 64 levels',
    );
  });
});
