import { describe, expect, it } from 'vitest';
import { repoFile } from '../testing/goSource';
import { ApiError } from '../../api/problem';
import { checkFormula, formatTrialValue, FORMULA_FUNCTIONS, sampleInput, sampleRecord } from './formula';
import { trialProblems } from './formulaApi';

describe('formula functions', () => {
  it('are the functions of the server stdlib', () => {
    const src = repoFile('engine/script/stdlib.go');
    const names = [...new Set([...src.matchAll(/"([A-Z][A-Z_]+)"/g)].map((m) => m[1]!))].sort();
    expect([...FORMULA_FUNCTIONS].sort()).toEqual(names);
  });
});

describe('checkFormula', () => {
  const fields = ['price', 'qty', 'tier', 'home'];
  it('accepts expressions over fields and functions', () => {
    expect(checkFormula('price * qty', fields)).toMatchObject({ unknown: [] });
    expect(checkFormula('IF(tier == "gold", ROUND(price * 1.5, 0), price)', fields)).toMatchObject({ unknown: [] });
    expect(checkFormula("home.city + ' ' + TEXT(qty)", fields)).toMatchObject({ unknown: [] });
    expect(checkFormula('qty > 1e3 ? true : null', fields)).toMatchObject({ unknown: [] });
  });
  it('reports empty, unbalanced brackets, open quotes and statements', () => {
    expect(checkFormula('  ', fields).error?.code).toBe('empty');
    expect(checkFormula('(price * qty', fields).error).toEqual({ code: 'unbalanced', at: 0 });
    expect(checkFormula('price * qty)', fields).error).toEqual({ code: 'unbalanced', at: 11 });
    expect(checkFormula('ROUND(price]', fields).error?.code).toBe('unbalanced');
    expect(checkFormula('"gold', fields).error).toEqual({ code: 'unclosedString', at: 0 });
    expect(checkFormula('price; qty', fields).error).toEqual({ code: 'statement', at: 5 });
    // A semicolon or bracket inside a string is text.
    expect(checkFormula('CONCAT(tier, ";)")', fields)).toMatchObject({ unknown: [] });
  });
  it('names what is neither a field nor a function', () => {
    expect(checkFormula('prcie * qty + ROUNDUP(1)', fields).unknown).toEqual(['prcie', 'ROUNDUP']);
  });
});

describe('fields a formula reads', () => {
  const fields = ['price', 'qty', 'tier', 'home'];
  it('lists them in order of first use, once, without properties or strings', () => {
    expect(checkFormula('qty * price + qty + home.price + "tier"', fields).used).toEqual(['qty', 'price', 'home']);
    expect(checkFormula('ROUND(1.5)', fields).used).toEqual([]);
  });
  it('still lists the fields read before a mistake', () => {
    expect(checkFormula('price * (qty', fields)).toEqual({ error: { code: 'unbalanced', at: 8 }, unknown: [], used: ['price', 'qty'] });
  });
});

describe('sample values', () => {
  it('keeps numbers and money as exact text', () => {
    expect(sampleInput(' 12.30 ', 'money')).toBe('12.30');
    expect(sampleInput('0.1', 'number')).toBe('0.1');
    expect(sampleInput('13812341234', 'phone')).toBe('13812341234');
  });
  it('reads yes and no, lists and JSON', () => {
    expect(sampleInput('是', 'checkbox')).toBe(true);
    expect(sampleInput('false', 'checkbox')).toBe(false);
    expect(sampleInput('maybe', 'checkbox')).toBe('maybe');
    expect(sampleInput('a, b，c', 'multiselect')).toEqual(['a', 'b', 'c']);
    expect(sampleInput('["a"]', 'multiselect')).toEqual(['a']);
    expect(sampleInput('{"province": "110000"}', 'address')).toEqual({ province: '110000' });
    expect(sampleInput('{broken', 'address')).toBe('{broken');
  });
  it('leaves blank fields out of the sample', () => {
    expect(sampleInput('  ', 'text')).toBeUndefined();
    const types = new Map([
      ['price', 'money'],
      ['vip', 'checkbox'],
    ]);
    expect(sampleRecord({ price: '3.50', vip: '', other: 'x' }, types)).toEqual({ price: '3.50', other: 'x' });
  });
});

describe('trial values', () => {
  it('shows money in yuan from fen, exactly', () => {
    expect(formatTrialValue(4920, 'money')).toBe('49.20');
    expect(formatTrialValue(-5, 'money')).toBe('-0.05');
    expect(formatTrialValue('9007199254740993', 'money')).toBe('90071992547409.93');
  });
  it('shows other kinds as text and null as empty', () => {
    expect(formatTrialValue(null, 'text')).toBeNull();
    expect(formatTrialValue('0.30', 'number')).toBe('0.30');
    expect(formatTrialValue(true, 'checkbox')).toBe('true');
    expect(formatTrialValue([1, 2], 'list')).toBe('[1,2]');
    expect(formatTrialValue(1.5, 'money')).toBe('1.5');
  });
});

describe('trial problems', () => {
  it('lists the server field messages, else its message', () => {
    const syntax = new ApiError(422, 'formula.syntax', '公式语法错误', [{ path: 'expression', code: 'script.syntax', message: '公式语法错误：SyntaxError (line 1, column 9)' }]);
    expect(trialProblems(syntax)).toEqual(['公式语法错误：SyntaxError (line 1, column 9)']);
    expect(trialProblems(new ApiError(404, 'record.not_found', '记录不存在'))).toEqual(['记录不存在']);
    expect(trialProblems(new Error('offline'))).toEqual(['offline']);
  });
});
