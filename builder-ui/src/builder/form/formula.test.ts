import { describe, expect, it } from 'vitest';
import { repoFile } from '../testing/goSource';
import { checkFormula, FORMULA_FUNCTIONS } from './formula';

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
    expect(checkFormula('price * qty', fields)).toEqual({ unknown: [] });
    expect(checkFormula('IF(tier == "gold", ROUND(price * 1.5, 0), price)', fields)).toEqual({ unknown: [] });
    expect(checkFormula("home.city + ' ' + TEXT(qty)", fields)).toEqual({ unknown: [] });
    expect(checkFormula('qty > 1e3 ? true : null', fields)).toEqual({ unknown: [] });
  });
  it('reports empty, unbalanced brackets, open quotes and statements', () => {
    expect(checkFormula('  ', fields).error?.code).toBe('empty');
    expect(checkFormula('(price * qty', fields).error).toEqual({ code: 'unbalanced', at: 0 });
    expect(checkFormula('price * qty)', fields).error).toEqual({ code: 'unbalanced', at: 11 });
    expect(checkFormula('ROUND(price]', fields).error?.code).toBe('unbalanced');
    expect(checkFormula('"gold', fields).error).toEqual({ code: 'unclosedString', at: 0 });
    expect(checkFormula('price; qty', fields).error).toEqual({ code: 'statement', at: 5 });
    // A semicolon or bracket inside a string is text.
    expect(checkFormula('CONCAT(tier, ";)")', fields)).toEqual({ unknown: [] });
  });
  it('names what is neither a field nor a function', () => {
    expect(checkFormula('prcie * qty + ROUNDUP(1)', fields).unknown).toEqual(['prcie', 'ROUNDUP']);
  });
});
