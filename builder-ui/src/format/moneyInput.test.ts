import { describe, expect, it } from 'vitest';
import { fenToJson, fenToYuan, parseYuan } from './money';

describe('parseYuan', () => {
  it.each([
    ['12.30', 1230n],
    ['12.3', 1230n],
    ['0.1', 10n],
    ['0.29', 29n],
    ['1.005'.slice(0, 4), 100n],
    ['-0.05', -5n],
    ['+7', 700n],
    ['¥1,234.56', 123456n],
    [' 8 ', 800n],
    ['12.', 1200n],
    ['12.50', 1250n],
    ['92233720368547758.07', 9223372036854775807n],
  ])('%s yuan is %s fen', (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, fen });
  });

  it('never drifts where floats do', () => {
    // 0.1 + 0.2 and 1.15 * 100 are the classic float traps.
    expect(parseYuan('0.3')).toEqual({ ok: true, fen: 30n });
    expect(parseYuan('1.15')).toEqual({ ok: true, fen: 115n });
    expect(parseYuan('4.35')).toEqual({ ok: true, fen: 435n });
    expect(4.35 * 100).not.toBe(435);
  });

  it('refuses more decimals than the precision instead of rounding', () => {
    expect(parseYuan('1.005')).toEqual({ ok: false, problem: 'precision' });
    expect(parseYuan('1.5', 0)).toEqual({ ok: false, problem: 'precision' });
    expect(parseYuan('1.50', 1)).toEqual({ ok: true, fen: 150n });
    expect(parseYuan('1.500')).toEqual({ ok: true, fen: 150n });
  });

  it('refuses what is not an amount', () => {
    for (const s of ['', 'abc', '1e3', '1.2.3', '--1', '0x10', '１２']) expect(parseYuan(s).ok, s).toBe(false);
  });
});

describe('fenToYuan and fenToJson', () => {
  it('renders fen as yuan text exactly', () => {
    expect(fenToYuan(1230)).toBe('12.30');
    expect(fenToYuan(-5)).toBe('-0.05');
    expect(fenToYuan('9007199254740993')).toBe('90071992547409.93');
    expect(fenToYuan(0)).toBe('0.00');
  });
  it('keeps safe integers as numbers and bigger ones as text', () => {
    expect(fenToJson(1230n)).toBe(1230);
    expect(fenToJson(9007199254740993n)).toBe('9007199254740993');
  });
  it('round-trips yuan text', () => {
    for (const s of ['0.01', '19.99', '100.00', '-3.50']) {
      const r = parseYuan(s);
      expect(r.ok && fenToYuan(r.fen)).toBe(s);
    }
  });
});
