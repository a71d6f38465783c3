import { describe, expect, it } from 'vitest';
import type { FormSpec, ViewSpec } from '../../api/formTypes';
import { repoFile } from '../testing/goSource';
import { addColumn, clampWidth, columnChoices, relationFields, dateFields, formatSort, groupFields, moveColumn, parseSort, problemsAt, removeColumn, setForm, setSort, setType, updateColumn, viewProblems, withOptional } from './model';

const members: FormSpec = {
  title: '会员',
  fields: [
    { key: 'name', type: 'text', label: '姓名' },
    { key: 'tier', type: 'select', label: '等级', options: [{ value: 'gold', label: '金卡' }] },
    { key: 'birthday', type: 'date', label: '生日' },
    { key: 'registeredAt', type: 'datetime', label: '注册时间' },
    { key: 'homeStore', type: 'relation', label: '门店', form: 'stores' },
    { key: 'spendMonths', type: 'subtable', label: '月度', fields: [] },
    { key: 'tags', type: 'multiselect', label: '标签', options: [{ value: 'vip', label: 'VIP' }] },
  ],
} as unknown as FormSpec;

const base: ViewSpec = { title: '会员', form: 'members', type: 'table' };

describe('sort', () => {
  it('parses keys with directions and skips empty parts', () => {
    expect(parseSort('-spend12m, name,,+tier,-')).toEqual([
      { field: 'spend12m', desc: true },
      { field: 'name', desc: false },
      { field: 'tier', desc: false },
    ]);
    expect(parseSort(undefined)).toEqual([]);
  });
  it('formats keys back, and no keys as no sort', () => {
    expect(formatSort([{ field: 'a', desc: true }, { field: 'b', desc: false }])).toBe('-a,b');
    expect(formatSort([{ field: '', desc: true }])).toBeUndefined();
    expect(setSort({ ...base, sort: 'x' }, [])).not.toHaveProperty('sort');
    expect(setSort(base, [{ field: 'name', desc: true }]).sort).toBe('-name');
  });
});

describe('columns', () => {
  it('adds a field once and removes the list when the last column goes', () => {
    let s = addColumn(base, 'name');
    s = addColumn(s, 'tier');
    expect(addColumn(s, 'name')).toBe(s);
    expect(addColumn(s, '')).toBe(s);
    expect(s.columns?.map((c) => c.field)).toEqual(['name', 'tier']);
    s = removeColumn(removeColumn(s, 0), 0);
    expect(s).not.toHaveProperty('columns');
  });
  it('moves a column and ignores moves out of range', () => {
    const s = ['name', 'tier', 'birthday'].reduce(addColumn, base);
    expect(moveColumn(s, 2, 0).columns?.map((c) => c.field)).toEqual(['birthday', 'name', 'tier']);
    expect(moveColumn(s, 0, 5).columns?.map((c) => c.field)).toEqual(['name', 'tier', 'birthday']);
    expect(moveColumn(s, -1, 1).columns?.map((c) => c.field)).toEqual(['name', 'tier', 'birthday']);
  });
  it('sets and clears a width and pinning', () => {
    let s = addColumn(base, 'name');
    s = updateColumn(s, 0, { width: 120, fixed: 'left' });
    expect(s.columns?.[0]).toEqual({ field: 'name', width: 120, fixed: 'left' });
    s = updateColumn(s, 0, { width: undefined, fixed: undefined });
    expect(s.columns?.[0]).toEqual({ field: 'name' });
  });
  it('keeps widths inside the schema bounds', () => {
    expect(clampWidth(5)).toBe(20);
    expect(clampWidth(99999)).toBe(2000);
    expect(clampWidth(120.6)).toBe(121);
    expect(clampWidth(null)).toBeUndefined();
    expect(clampWidth(Number.NaN)).toBeUndefined();
  });
});

describe('column choices', () => {
  it('offers the fields, the fields of related records (one hop, single relations) and the record times', () => {
    const stores = { title: '门店', fields: [{ key: 'name', type: 'text', label: '店名' }, { key: 'region', type: 'select', label: '大区' }, { key: 'manager', type: 'relation', label: '店长', form: 'staff' }] } as unknown as FormSpec;
    const withMany = { ...members, fields: [...members.fields, { key: 'friends', type: 'relation', label: '好友', form: 'members', multiple: true }] } as FormSpec;
    expect(relationFields(withMany).map((f) => f.key)).toEqual(['homeStore']);
    const choices = columnChoices(withMany, new Map([['stores', stores]]), { _createdAt: '创建', _updatedAt: '更新' });
    expect(choices.map((c) => c.path)).toEqual(['name', 'tier', 'birthday', 'registeredAt', 'homeStore', 'tags', 'friends', 'homeStore.name', 'homeStore.region', '_createdAt', '_updatedAt']);
    expect(choices.find((c) => c.path === 'homeStore.name')?.labels).toEqual(['门店', '店名']);
    // A related form that could not be read adds nothing.
    expect(columnChoices(members, new Map(), { _createdAt: 'c', _updatedAt: 'u' }).some((c) => c.path.includes('.'))).toBe(false);
  });
});

describe('layout', () => {
  it('offers single-choice fields to group by and dates to a calendar', () => {
    expect(groupFields(members).map((f) => f.key)).toEqual(['tier']);
    expect(dateFields(members).map((f) => f.key)).toEqual(['birthday', 'registeredAt']);
  });
  it('gives a kanban a field to group by and a calendar a date field', () => {
    const k = setType(base, 'kanban', members);
    expect(k).toMatchObject({ type: 'kanban', groupBy: 'tier' });
    const c = setType(k, 'calendar', members);
    expect(c).toMatchObject({ type: 'calendar', dateField: 'birthday' });
    expect(setType({ ...base, dateField: 'registeredAt' }, 'calendar', members).dateField).toBe('registeredAt');
    expect(setType(c, 'table', members)).toMatchObject({ type: 'table', groupBy: 'tier', dateField: 'birthday' });
  });
  it('forgets the old form\'s fields when the form changes', () => {
    const s: ViewSpec = { ...base, columns: [{ field: 'name' }], filter: { tier: 'gold' }, sort: '-name', groupBy: 'tier', pageSize: 30 };
    expect(setForm(s, 'coupons')).toEqual({ title: '会员', form: 'coupons', type: 'table', pageSize: 30 });
    expect(setForm(s, 'members')).toBe(s);
  });
  it('drops empty optional settings', () => {
    expect(withOptional({ ...base, filter: { a: 1 } }, 'filter', {})).not.toHaveProperty('filter');
    expect(withOptional(base, 'pageSize', 50).pageSize).toBe(50);
  });
});

describe('problems', () => {
  it('names unknown and repeated columns, unknown sorts, missing kanban and calendar fields', () => {
    const s: ViewSpec = { ...base, type: 'kanban', columns: [{ field: 'name' }, { field: 'nope' }, { field: 'name' }, { field: 'homeStore.name' }, { field: '_updatedAt' }], sort: '-ghost,name' };
    expect(viewProblems(s, members)).toEqual([
      { path: 'columns[1].field', code: 'unknownColumn', params: { field: 'nope' } },
      { path: 'columns[2].field', code: 'duplicateColumn', params: { field: 'name' } },
      { path: 'groupBy', code: 'noGroup' },
      { path: 'sort', code: 'unknownSort', params: { field: 'ghost' } },
    ]);
    expect(viewProblems({ ...base, type: 'kanban', groupBy: 'tags' }, members)).toEqual([{ path: 'groupBy', code: 'badGroup', params: { field: 'tags' } }]);
    expect(viewProblems({ ...base, type: 'calendar' }, members)).toEqual([{ path: 'dateField', code: 'noDate' }]);
    expect(viewProblems({ ...base, type: 'calendar', dateField: 'name' }, members)).toEqual([{ path: 'dateField', code: 'badDate', params: { field: 'name' } }]);
    expect(viewProblems(s, undefined)).toEqual([]);
  });
  it('finds the problems at a path and inside it, not at its neighbours', () => {
    const ps = [
      { path: 'columns[1].width', message: 'a' },
      { path: 'columns[1]', message: 'b' },
      { path: 'columns[10].field', message: 'c' },
      { path: 'filter.tier', message: 'd' },
      { path: 'filterX', message: 'e' },
    ];
    expect(problemsAt(ps, 'columns[1]')).toEqual(['a', 'b']);
    expect(problemsAt(ps, 'filter')).toEqual(['d']);
  });
});

describe('the shipped views', () => {
  it('have no problems against their forms', () => {
    for (const name of ['members-all', 'members-vip', 'coupons', 'stores', 'transactions-recent', 'coupon-templates']) {
      const v = JSON.parse(repoFile(`templates/core/views/${name}.json`)) as ViewSpec;
      const f = JSON.parse(repoFile(`templates/core/forms/${v.form}.json`)) as FormSpec;
      expect(viewProblems(v, f), name).toEqual([]);
      expect(formatSort(parseSort(v.sort)), name).toBe(v.sort);
    }
  });
});
