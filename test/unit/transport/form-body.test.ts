import { describe, expect, it } from 'vitest';
import { formKeyPath, parseForm } from '../../../src/transport/http/body.js';

const parse = (s: string) => parseForm(Buffer.from(s), undefined as never);

describe('form bodies with bracketed keys', () => {
  it('nest bracketed keys the way Bitrix24 (PHP) sends them', () => {
    const body = parse(
      'event=ONIMBOTMESSAGEADD&data%5BPARAMS%5D%5BMESSAGE%5D=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82+a%26b&data[BOT][567][BOT_ID]=567&auth[member_id]=m1&auth[application_token]=t',
    );
    expect(body).toEqual({
      event: 'ONIMBOTMESSAGEADD',
      data: { PARAMS: { MESSAGE: 'Привет a&b' }, BOT: { '567': { BOT_ID: '567' } } },
      auth: { member_id: 'm1', application_token: 't' },
    });
  });

  it('append to lists with empty brackets', () => {
    expect(parse('a[]=1&a[]=2&b[x][]=3')).toEqual({ a: ['1', '2'], b: { x: ['3'] } });
  });

  it('refuse prototype keys, clashing keys, malformed names and huge lists', () => {
    for (const bad of [
      'a[__proto__][x]=1',
      'constructor[prototype]=1',
      'a=1&a[b]=2',
      'a[b]=2&a=1',
      'a[b=1',
      '[x]=1',
      'a[]=1&a[k]=2',
      'a[]=1&a[99999]=2',
    ]) {
      expect(() => parse(bad), bad).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuse invalid UTF-8 and too many fields', () => {
    expect(() => parseForm(Buffer.from([0x61, 0x3d, 0xc3, 0x28]), undefined as never)).toThrow(/UTF-8/);
    expect(() => parse(Array.from({ length: 2001 }, (_, i) => `k${i}=v`).join('&'))).toThrow(
      /more than 2000/,
    );
  });

  it('split key paths', () => {
    expect(formKeyPath('data[PARAMS][MESSAGE]')).toEqual(['data', 'PARAMS', 'MESSAGE']);
    expect(formKeyPath('a[]')).toEqual(['a', '']);
    expect(formKeyPath('plain')).toEqual(['plain']);
  });
});
