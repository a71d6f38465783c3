import { describe, expect, it } from 'vitest';
import { repoFile } from '../testing/goSource';
import { addColumn, addRow, badValues, cellText, duplicateRow, formatCell, locate, moveColumn, moveRow, outputText, parseCell, parseOutput, removeColumn, removeRow, setCell, setOutput, updateColumn, updateRow, type Cell, type ColumnType, type RuleSpec } from './table';

/** The example table of the meta-schema's test data: every type and operator. */
const example = JSON.parse(repoFile('engine/meta/testdata/valid/rule.json')) as RuleSpec;
const points = JSON.parse(repoFile('templates/core/rules/points-earn.json')) as RuleSpec;

describe('cells', () => {
  it('read back to the same JSON for every cell of the example tables', () => {
    for (const spec of [example, points]) {
      for (const row of spec.rows) {
        for (const [key, cell] of Object.entries(row.when)) {
          const col = spec.inputs.find((c) => c.key === key)!;
          const m = parseCell(cell, col.type);
          expect(m.kind, `${key} ${JSON.stringify(cell)}`).not.toBe('raw');
          expect(formatCell(m, col.type), `${key} ${JSON.stringify(cell)}`).toEqual(cell);
        }
      }
    }
  });

  it('edit every kind of cell into rule JSON of the column type', () => {
    const cases: [ColumnType, Parameters<typeof formatCell>[0], Cell | undefined][] = [
      ['string', { kind: 'any' }, undefined],
      ['string', { kind: 'eq', value: '金卡' }, '金卡'],
      ['int', { kind: 'eq', value: ' 3 ' }, 3],
      ['decimal', { kind: 'eq', value: '1.50' }, '1.50'],
      ['bool', { kind: 'eq', value: 'true' }, true],
      ['string', { kind: 'ne', value: '普通' }, { $ne: '普通' }],
      ['string', { kind: 'in', values: ['金卡', '钻石'] }, { $in: ['金卡', '钻石'] }],
      ['int', { kind: 'nin', values: ['1', '2'] }, { $nin: [1, 2] }],
      ['date', { kind: 'range', min: '2026-10-01', max: '2026-10-07' }, { $gte: '2026-10-01', $lte: '2026-10-07' }],
      ['decimal', { kind: 'range', min: '100', minOpen: true }, { $gt: '100' }],
      ['int', { kind: 'range', max: '3', maxOpen: true }, { $lt: 3 }],
      ['int', { kind: 'range' }, undefined],
      ['list', { kind: 'contains', values: ['生鲜'], form: 'plain' }, '生鲜'],
      ['list', { kind: 'contains', values: ['生鲜'] }, { $contains: ['生鲜'] }],
      ['list', { kind: 'contains', values: ['生鲜', '烟草'] }, { $contains: ['生鲜', '烟草'] }],
      ['list', { kind: 'nin', values: ['烟草'] }, { $nin: ['烟草'] }],
    ];
    for (const [type, m, cell] of cases) {
      expect(formatCell(m, type), `${type} ${JSON.stringify(m)}`).toEqual(cell);
      if (cell !== undefined) expect(formatCell(parseCell(cell, type), type)).toEqual(cell);
    }
  });

  it('keeps combinations the editors do not offer as they are', () => {
    const odd = { $gte: 1, $ne: 5 };
    expect(parseCell(odd, 'int')).toEqual({ kind: 'raw', cell: odd });
    expect(formatCell(parseCell(odd, 'int'), 'int')).toBe(odd);
    expect(parseCell({ $gt: 1, $gte: 2 }, 'int').kind).toBe('raw');
    expect(parseCell({ $eq: 'a' }, 'list').kind).toBe('raw');
  });

  it('finds values that are not of the column type', () => {
    expect(badValues({ kind: 'eq', value: '1.5' }, 'int')).toEqual(['1.5']);
    expect(badValues({ kind: 'eq', value: '1.5' }, 'decimal')).toEqual([]);
    expect(badValues({ kind: 'in', values: ['2026-02-30x'] }, 'date')).toEqual(['2026-02-30x']);
    expect(badValues({ kind: 'in', values: [] }, 'string')).toEqual(['']);
    expect(badValues({ kind: 'range' }, 'int')).toEqual(['']);
    expect(badValues({ kind: 'range', min: '2026-12-31T00:00:00+08:00' }, 'datetime')).toEqual([]);
    expect(badValues({ kind: 'eq', value: 'yes' }, 'bool')).toEqual(['yes']);
    expect(badValues({ kind: 'eq', value: '9007199254740993' }, 'int')).toEqual(['9007199254740993']);
  });

  it('describe themselves in one line', () => {
    expect(cellText(parseCell({ $gte: '2026-10-01', $lte: '2026-10-07' }, 'date'))).toBe('[2026-10-01 ~ 2026-10-07]');
    expect(cellText(parseCell({ $gte: '100' }, 'decimal'))).toBe('≥ 100');
    expect(cellText(parseCell({ $lt: 3 }, 'int'))).toBe('< 3');
    expect(cellText(parseCell({ $nin: ['普通'] }, 'string'))).toBe('∉ 普通');
    expect(cellText(parseCell(undefined, 'string'))).toBe('—');
  });
});

describe('outputs', () => {
  it('are typed: exact decimals, integers, lists, yes/no; blank leaves the default', () => {
    expect(parseOutput('decimal', ' 2.0 ')).toBe('2.0');
    expect(parseOutput('int', '100')).toBe(100);
    expect(parseOutput('list', '新店, 生鲜，会员日')).toEqual(['新店', '生鲜', '会员日']);
    expect(parseOutput('bool', 'false')).toBe(false);
    expect(parseOutput('string', '  ')).toBeUndefined();
    expect(outputText(['a', 'b'])).toBe('a, b');
    expect(outputText(1.5)).toBe('1.5');
  });
});

describe('table operations', () => {
  const base: RuleSpec = structuredClone(points);

  it('add, move, duplicate and remove rows; new rows satisfy outputs without defaults', () => {
    const noDefault = updateColumn(base, 'outputs', 'reason', { default: undefined });
    const added = addRow(noDefault, 0);
    expect(added.rows[0]).toEqual({ when: {}, then: { reason: '' }, priority: 0 });
    expect(moveRow(base, 0, 2).rows.map((r) => r.note)).toEqual([base.rows[1]!.note, base.rows[2]!.note, base.rows[0]!.note, base.rows[3]!.note, base.rows[4]!.note]);
    expect(moveRow(base, 0, 9)).toEqual(base);
    expect(duplicateRow(base, 1).rows[2]).toEqual(base.rows[1]);
    expect(removeRow(base, 0).rows).toHaveLength(base.rows.length - 1);
  });

  it('set cells, outputs and row settings', () => {
    let s = setCell(base, 1, 'tier', { $in: ['gold'] });
    expect(s.rows[1]!.when).toEqual({ ...base.rows[1]!.when, tier: { $in: ['gold'] } });
    s = setCell(s, 1, 'day', undefined);
    expect(s.rows[1]!.when).toEqual({ tier: { $in: ['gold'] } });
    s = setOutput(s, 1, 'multiplier', '3');
    expect(s.rows[1]!.then.multiplier).toBe('3');
    s = setOutput(s, 1, 'reason', undefined);
    expect(s.rows[1]!.then).toEqual({ multiplier: '3' });
    s = updateRow(s, 1, { priority: 7, note: undefined });
    expect(s.rows[1]).toEqual({ when: { tier: { $in: ['gold'] } }, then: { multiplier: '3' }, priority: 7 });
    expect(base.rows[1]!.then.multiplier).toBe('2');
  });

  it('add, rename, move and remove columns, carrying cells along', () => {
    const a = addColumn(base, 'outputs', 'int');
    expect(a.outputs.at(-1)).toEqual({ key: 'output1', type: 'int', default: 0 });
    const r = updateColumn(base, 'inputs', 'category', { key: 'cat' });
    expect(r.inputs.map((c) => c.key)).toEqual(['tier', 'store', 'cat', 'day']);
    expect(r.rows[0]!.when).toEqual({ cat: '烟草' });
    expect(updateColumn(base, 'inputs', 'category', { key: 'tier' })).toBe(base);
    expect(moveColumn(base, 'inputs', 3, 0).inputs.map((c) => c.key)).toEqual(['day', 'tier', 'store', 'category']);
    const gone = removeColumn(base, 'inputs', 'category');
    expect(gone.rows[0]!.when).toEqual({});
    expect(gone.rows[4]!.when).toEqual({ tier: { $in: ['gold', 'diamond'] } });
  });

  it('locates the paths of the server problems', () => {
    expect(locate('rows[2].when.tier')).toEqual({ row: 2, input: 'tier' });
    expect(locate('rows[0].then.multiplier')).toEqual({ row: 0, output: 'multiplier' });
    expect(locate('rows[3].priority')).toEqual({ row: 3 });
    expect(locate('inputs[1].options')).toEqual({ column: { side: 'inputs', index: 1 } });
    expect(locate('hitPolicy')).toEqual({});
  });
});
