import { describe, expect, it } from 'vitest';
import { exactReviver, parseExactJson } from './exactJson';

describe('exact JSON numbers', () => {
  it('keeps decimals as the text the server wrote, when the browser passes it', () => {
    expect(exactReviver('w', 70.25, { source: '70.25' })).toBe('70.25');
    expect(exactReviver('w', 0.1, { source: '0.10000000000000000001' })).toBe('0.10000000000000000001');
    expect(exactReviver('n', 9007199254740993, { source: '9007199254740993' })).toBe('9007199254740993');
    expect(exactReviver('n', 1230, { source: '1230' })).toBe(1230);
    expect(exactReviver('s', 'x', undefined)).toBe('x');
  });
  it('falls back to the shortest float text without the source', () => {
    const v = parseExactJson('{"balance":1230,"weight":70.25,"items":[{"qty":2,"rate":"0.5"}],"ok":true,"none":null}');
    expect(v).toEqual({ balance: 1230, weight: '70.25', items: [{ qty: 2, rate: '0.5' }], ok: true, none: null });
  });
});
