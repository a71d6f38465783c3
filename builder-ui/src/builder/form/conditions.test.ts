import { describe, expect, it } from 'vitest';
import type { FormSpec } from '../../api/formTypes';
import { filterFields } from '../../records/filter/fields';
import type { Condition, Group } from '../../records/filter/model';
import { buildFilter } from '../../records/filter/toFilter';
import { filterToGroup } from './conditions';

const spec: FormSpec = {
  title: '会员',
  fields: [
    { key: 'name', type: 'text', label: '姓名' },
    { key: 'tier', type: 'select', label: '等级', options: [{ value: 'gold', label: '金卡' }, { value: 'normal', label: '普通' }] },
    { key: 'vip', type: 'checkbox', label: 'VIP' },
    { key: 'balance', type: 'money', label: '余额' },
    { key: 'visits', type: 'number', label: '到店次数' },
    { key: 'birthday', type: 'date', label: '生日' },
    { key: 'tags', type: 'multiselect', label: '标签', options: [{ value: 'a', label: 'A' }] },
  ],
};
const fields = filterFields(spec);

/** The tree without ids, to compare. */
function shape(g: Group | undefined): unknown {
  if (!g) return undefined;
  return { conj: g.conj, items: g.items.map((i) => (i.type === 'group' ? shape(i) : [(i as Condition).field, i.op, i.value])) };
}

describe('filterToGroup', () => {
  it('reads the filters the builder writes back into the same tree', () => {
    const filters = [
      { tier: 'gold' },
      { tier: { $in: ['gold', 'normal'] } },
      { vip: true },
      { vip: { $ne: true } },
      { balance: { $gte: 10000 } },
      { visits: { $gte: '2', $lte: '5' } },
      { name: { $exists: false } },
      { $not: { name: { $contains: '王' } } },
      { name: { $startsWith: '李' } },
      { $or: [{ tier: 'gold' }, { balance: { $gte: 10000 } }] },
      { $and: [{ tier: 'gold' }, { $or: [{ vip: true }, { visits: { $gt: '3' } }] }] },
      { tags: { $contains: 'a' } },
      { birthday: { $gte: '2000-01-01', $lte: '2000-12-31' } },
    ];
    for (const filter of filters) {
      const g = filterToGroup(filter, fields);
      expect(g, JSON.stringify(filter)).toBeDefined();
      const rebuilt = buildFilter(g!, fields);
      expect(rebuilt.incomplete, JSON.stringify(filter)).toEqual([]);
      const again = filterToGroup(rebuilt.filter, fields);
      expect(shape(again), JSON.stringify(filter)).toEqual(shape(g));
    }
  });

  it('shows values as their editors hold them: money in yuan, numbers as text', () => {
    expect(shape(filterToGroup({ balance: { $gte: 12345 }, visits: 3 }, fields))).toEqual({
      conj: 'and',
      items: [
        ['balance', 'gte', '123.45'],
        ['visits', 'eq', '3'],
      ],
    });
    expect(buildFilter(filterToGroup({ balance: { $gte: 12345 } }, fields)!, fields).filter).toEqual({ balance: { $gte: 12345 } });
    expect(shape(filterToGroup({ $or: [{ tier: 'gold' }, { vip: true }] }, fields))).toEqual({
      conj: 'or',
      items: [
        ['tier', 'eq', 'gold'],
        ['vip', 'isTrue', undefined],
      ],
    });
  });

  it('gives an empty group for no condition, and nothing for filters it cannot show', () => {
    expect(shape(filterToGroup(undefined, fields))).toEqual({ conj: 'and', items: [] });
    expect(filterToGroup({ unknown: 1 }, fields)).toBeUndefined();
    expect(filterToGroup({ $nor: [] }, fields)).toBeUndefined();
    expect(filterToGroup({ name: { $regex: 'x' } }, fields)).toBeUndefined();
    expect(filterToGroup({ $or: 'x' } as never, fields)).toBeUndefined();
  });
});
