import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linePosition, newParam, paramProblems, paramsOf, retype, sample, schemaWith, type Schema } from './model';

// The CRM checkout's input schema, read from the template it ships in.
const checkout = JSON.parse(readFileSync(resolvePath(__dirname, '../../../../templates/core/actions/checkout.json'), 'utf8')) as { input: Schema };

describe('input schema <-> parameters', () => {
  it('reads the checkout input and writes it back unchanged', () => {
    const params = paramsOf(checkout.input);
    expect(params.map((p) => [p.name, p.type, p.required])).toEqual([
      ['receiptId', 'string', true],
      ['store', 'string', true],
      ['member', '', true],
      ['lines', 'array', true],
      ['couponCodes', 'array', false],
      ['payments', 'object', false],
      ['channel', 'string', false],
    ]);
    const store = params[1]!;
    expect([store.min, store.max, store.description]).toEqual([1, 64, 'store code (S0001) or store record id']);
    expect(params[0]!.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$');
    expect(params[2]!.rest).toEqual({ $ref: '#/definitions/memberRef' });
    expect(params[3]!.rest.items).toEqual({ $ref: '#/definitions/line' });
    expect([params[3]!.min, params[3]!.max]).toEqual([1, 200]);
    expect(params[6]!.rest.enum).toEqual(['pos', 'online']);
    expect(schemaWith(checkout.input, params)).toEqual(checkout.input);
  });

  it('adds, edits and removes parameters, keeping the rest of the schema', () => {
    const params = paramsOf(checkout.input);
    const p = { ...newParam(params), name: 'note', description: '备注', max: 200 };
    const next = schemaWith(checkout.input, [...params.filter((x) => x.name !== 'channel'), p, { ...newParam(params), name: 'urgent', type: 'boolean' as const, required: true }]);
    expect((next.properties as Schema).note).toEqual({ type: 'string', description: '备注', maxLength: 200 });
    expect((next.properties as Schema).urgent).toEqual({ type: 'boolean' });
    expect((next.properties as Schema).channel).toBeUndefined();
    expect(next.required).toEqual(['receiptId', 'store', 'member', 'lines', 'urgent']);
    expect(next.definitions).toEqual(checkout.input.definitions);
    expect(next.additionalProperties).toBe(false);
    expect(schemaWith({}, [])).toEqual({ type: 'object', properties: {} });
  });

  it('maps min and max to the keys of the type, and drops what no longer applies on a type change', () => {
    const s = schemaWith(undefined, [
      { name: 'qty', type: 'integer', required: false, description: '', min: 1, max: 9, rest: {} },
      { name: 'tags', type: 'array', required: false, description: '', min: 0, max: 5, rest: { items: { type: 'string' } } },
    ]);
    expect(s.properties).toEqual({ qty: { type: 'integer', minimum: 1, maximum: 9 }, tags: { type: 'array', items: { type: 'string' }, minItems: 0, maxItems: 5 } });
    const [qty, tags] = paramsOf(s);
    expect(retype(qty!, 'number')).toMatchObject({ type: 'number', min: 1, max: 9 });
    expect(retype(qty!, 'string')).toMatchObject({ type: 'string', min: undefined, max: undefined });
    expect(retype(tags!, 'string').rest).toEqual({});
    const member = paramsOf(checkout.input)[2]!;
    expect(retype(member, 'object').rest).toEqual({});
  });

  it('keeps properties with several types or unknown keywords as they are', () => {
    const input = { type: 'object', properties: { at: { type: ['string', 'null'], format: 'date-time' }, n: { type: 'integer', multipleOf: 5, minimum: 0 } } };
    const params = paramsOf(input);
    expect(params[0]!.type).toBe('');
    expect(params[1]!.rest).toEqual({ multipleOf: 5 });
    expect(schemaWith(input, params)).toEqual(input);
  });

  it('reports empty, invalid and duplicate names, crossed bounds and bad patterns', () => {
    const base = { type: 'string' as const, required: false, description: '', rest: {} };
    expect(
      paramProblems([
        { ...base, name: '' },
        { ...base, name: '1x' },
        { ...base, name: 'a' },
        { ...base, name: 'a' },
        { ...base, name: 'b', min: 5, max: 2 },
        { ...base, name: 'c', pattern: '([' },
      ]),
    ).toEqual([
      { index: 0, problem: 'empty' },
      { index: 1, problem: 'invalid' },
      { index: 3, problem: 'duplicate' },
      { index: 4, problem: 'bounds' },
      { index: 5, problem: 'pattern' },
    ]);
  });
});

describe('test form helpers', () => {
  it('samples values through local refs', () => {
    const lines = (checkout.input.properties as Record<string, Schema>).lines!;
    expect(sample(checkout.input, lines)).toEqual([{ sku: '', category: '', quantity: 1, price: '' }]);
    const member = (checkout.input.properties as Record<string, Schema>).member!;
    expect(sample(checkout.input, member)).toEqual({ id: '', phone: '', cardNo: '', unionid: '' });
    expect(sample(checkout.input, (checkout.input.properties as Record<string, Schema>).channel!)).toBe('pos');
  });

  it('reads the line and column of script problems in both languages', () => {
    expect(linePosition('SyntaxError: Unexpected token ; (line 2, column 11)')).toEqual({ line: 2, column: 11 });
    expect(linePosition('动作脚本出错（第 7 行第 3 列）：boom')).toEqual({ line: 7, column: 3 });
    expect(linePosition('no place')).toBeUndefined();
  });
});
