import { describe, expect, it } from 'vitest';
import { emptyGroup, type Condition, type FilterField, type Group } from './model';
import { operatorsFor } from './operators';
import { andFilters, buildFilter } from './toFilter';

const fields: FilterField[] = [
  { path: 'name', label: '姓名', kind: 'string', valueType: 'text' },
  { path: 'tier', label: '等级', kind: 'string', valueType: 'option', ops: ['eq', 'ne', 'in', 'nin', 'exists'] },
  { path: 'tags', label: '标签', kind: 'string', array: true, valueType: 'option', ops: ['eq', 'ne', 'in', 'nin', 'exists', 'contains'] },
  { path: 'balance', label: '余额', kind: 'int', valueType: 'money', precision: 2 },
  { path: 'points', label: '积分', kind: 'int', valueType: 'int' },
  { path: 'weight', label: '体重', kind: 'decimal', valueType: 'decimal' },
  { path: 'birthday', label: '生日', kind: 'date', valueType: 'date' },
  { path: 'visitedAt', label: '到店', kind: 'time', valueType: 'time' },
  { path: 'vip', label: 'VIP', kind: 'bool', valueType: 'bool' },
  { path: 'home', label: '地址', kind: 'string', valueType: 'text', ops: ['exists'] },
];

let n = 0;
const cond = (field: string, op: Condition['op'], value?: unknown): Condition => ({ type: 'condition', id: `c${++n}`, field, op, value });
const group = (conj: Group['conj'], ...items: Group['items']): Group => ({ type: 'group', id: `g${++n}`, conj, items });
// Monday 2026-11-23 14:05 in Shanghai.
const now = new Date('2026-11-23T06:05:00Z');

describe('buildFilter', () => {
  it('writes one condition per operator in the server language', () => {
    const cases: [Condition, object][] = [
      [cond('name', 'contains', '张'), { name: { $contains: '张' } }],
      [cond('name', 'notContains', '测试'), { $not: { name: { $contains: '测试' } } }],
      [cond('name', 'startsWith', '李'), { name: { $startsWith: '李' } }],
      [cond('tier', 'eq', 'gold'), { tier: { $eq: 'gold' } }],
      [cond('tier', 'in', ['gold', 'silver']), { tier: { $in: ['gold', 'silver'] } }],
      [cond('tags', 'contains', 'food'), { tags: { $contains: 'food' } }],
      [cond('points', 'gte', '100'), { points: { $gte: 100 } }],
      [cond('points', 'between', ['10', '']), { points: { $gte: 10 } }],
      [cond('weight', 'lt', '70.25'), { weight: { $lt: '70.25' } }],
      [cond('vip', 'isTrue'), { vip: { $eq: true } }],
      [cond('vip', 'isFalse'), { vip: { $ne: true } }],
      [cond('home', 'empty'), { home: { $exists: false } }],
      [cond('home', 'notEmpty'), { home: { $exists: true } }],
      [cond('birthday', 'between', ['1990-01-01', '1999-12-31']), { birthday: { $gte: '1990-01-01', $lte: '1999-12-31' } }],
    ];
    for (const [c, want] of cases) {
      expect(buildFilter(group('and', c), fields, now).filter, c.op).toEqual(want);
    }
  });

  it('sends money typed in yuan as integer fen, exactly', () => {
    expect(buildFilter(group('and', cond('balance', 'gte', '0.1')), fields, now).filter).toEqual({ balance: { $gte: 10 } });
    expect(buildFilter(group('and', cond('balance', 'eq', '1,234.56')), fields, now).filter).toEqual({ balance: { $eq: 123456 } });
    expect(buildFilter(group('and', cond('balance', 'lt', '19.99')), fields, now).filter).toEqual({ balance: { $lt: 1999 } });
    // Fractions of a fen are not an amount: the condition is left out, not rounded.
    const r = buildFilter(group('and', cond('balance', 'eq', '1.005')), fields, now);
    expect(r.filter).toBeUndefined();
    expect(r.incomplete).toHaveLength(1);
  });

  it('joins AND and OR groups and unwraps single items', () => {
    const tree = group('and', cond('tier', 'eq', 'gold'), group('or', cond('name', 'contains', '张'), cond('points', 'gt', '500')));
    expect(buildFilter(tree, fields, now).filter).toEqual({
      $and: [{ tier: { $eq: 'gold' } }, { $or: [{ name: { $contains: '张' } }, { points: { $gt: 500 } }] }],
    });
    expect(buildFilter(group('or', group('and', cond('vip', 'isTrue'))), fields, now).filter).toEqual({ vip: { $eq: true } });
    expect(buildFilter(emptyGroup(), fields, now).filter).toBeUndefined();
  });

  it('leaves out incomplete conditions and unknown fields, and names them', () => {
    const a = cond('name', 'contains', '  ');
    const b = cond('points', 'gt', 'abc');
    const c = cond('nosuch', 'eq', 'x');
    const d = cond('tier', 'in', []);
    const ok = cond('tier', 'eq', 'gold');
    const r = buildFilter(group('and', a, b, c, d, ok), fields, now);
    expect(r.filter).toEqual({ tier: { $eq: 'gold' } });
    expect(r.incomplete).toEqual([a.id, b.id, c.id, d.id]);
  });

  it('resolves date presets on date fields as inclusive days', () => {
    const at = (op: Condition['op']) => buildFilter(group('and', cond('birthday', op)), fields, now).filter;
    expect(at('today')).toEqual({ birthday: { $gte: '2026-11-23', $lte: '2026-11-23' } });
    expect(at('yesterday')).toEqual({ birthday: { $gte: '2026-11-22', $lte: '2026-11-22' } });
    expect(at('last7Days')).toEqual({ birthday: { $gte: '2026-11-17', $lte: '2026-11-23' } });
    expect(at('last30Days')).toEqual({ birthday: { $gte: '2026-10-25', $lte: '2026-11-23' } });
    expect(at('thisWeek')).toEqual({ birthday: { $gte: '2026-11-23', $lte: '2026-11-29' } });
    expect(at('thisMonth')).toEqual({ birthday: { $gte: '2026-11-01', $lte: '2026-11-30' } });
    expect(at('lastMonth')).toEqual({ birthday: { $gte: '2026-10-01', $lte: '2026-10-31' } });
    expect(at('thisYear')).toEqual({ birthday: { $gte: '2026-01-01', $lte: '2026-12-31' } });
  });

  it('turns days on date-time fields into half-open instants from local midnight', () => {
    expect(buildFilter(group('and', cond('visitedAt', 'today')), fields, now).filter).toEqual({
      visitedAt: { $gte: '2026-11-22T16:00:00.000Z', $lt: '2026-11-23T16:00:00.000Z' },
    });
    expect(buildFilter(group('and', cond('visitedAt', 'eq', '2026-02-28')), fields, now).filter).toEqual({
      visitedAt: { $gte: '2026-02-27T16:00:00.000Z', $lt: '2026-02-28T16:00:00.000Z' },
    });
    expect(buildFilter(group('and', cond('visitedAt', 'gt', '2026-02-28')), fields, now).filter).toEqual({ visitedAt: { $gte: '2026-02-28T16:00:00.000Z' } });
    expect(buildFilter(group('and', cond('visitedAt', 'lt', '2026-02-28')), fields, now).filter).toEqual({ visitedAt: { $lt: '2026-02-27T16:00:00.000Z' } });
  });
});

describe('operatorsFor', () => {
  const by = (p: string) => operatorsFor(fields.find((f) => f.path === p)!);
  it('offers only what the server allows on the field', () => {
    expect(by('home')).toEqual(['empty', 'notEmpty']);
    expect(by('tier')).toEqual(['eq', 'ne', 'in', 'nin', 'empty', 'notEmpty']);
    expect(by('tags')).toEqual(['contains', 'notContains', 'in', 'empty', 'notEmpty']);
    expect(by('vip')).toEqual(['isTrue', 'isFalse', 'empty', 'notEmpty']);
    expect(by('points')).toContain('between');
    expect(by('birthday').slice(0, 4)).toEqual(['today', 'yesterday', 'last7Days', 'last30Days']);
    expect(by('name')).toContain('startsWith');
  });
});

describe('andFilters', () => {
  it('joins the set filters', () => {
    expect(andFilters(undefined, {})).toBeUndefined();
    expect(andFilters({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(andFilters({ a: 1 }, { b: 2 })).toEqual({ $and: [{ a: 1 }, { b: 2 }] });
  });
});
