import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../api/formTypes';
import { createBody, fieldStates, missingRequired, patchBody, sortFieldErrors, toFormValues } from './formModel';
import { canonicalTime, matchFilter, type KindOf } from './match';

const kinds: Record<string, { kind: 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'time'; array?: boolean }> = {
  tier: { kind: 'string' },
  tags: { kind: 'string', array: true },
  balance: { kind: 'int' },
  rate: { kind: 'decimal' },
  vip: { kind: 'bool' },
  birthday: { kind: 'date' },
  at: { kind: 'time' },
  'home.province': { kind: 'string' },
};
const kindOf: KindOf = (p) => kinds[p];
const m = (f: unknown, doc: Record<string, unknown>) => matchFilter(f, doc, kindOf);

describe('matchFilter (the server semantics of form.Match)', () => {
  it('treats missing and null alike', () => {
    expect(m({ tier: null }, {})).toBe(true);
    expect(m({ tier: { $ne: null } }, {})).toBe(false);
    expect(m({ tier: { $exists: false } }, { tier: null })).toBe(true);
    expect(m({ tier: { $exists: true } }, { tier: 'gold' })).toBe(true);
  });
  it('lets ne and nin match null, never ordering', () => {
    expect(m({ tier: { $ne: 'gold' } }, {})).toBe(true);
    expect(m({ tier: { $nin: ['gold'] } }, {})).toBe(true);
    expect(m({ balance: { $lt: 100 } }, {})).toBe(false);
    expect(m({ $not: { balance: { $gte: 100 } } }, {})).toBe(true);
  });
  it('compares numbers exactly, decimals as text included', () => {
    expect(m({ balance: { $gte: 1000 } }, { balance: 1000 })).toBe(true);
    expect(m({ rate: { $gt: '0.1' } }, { rate: '0.10000000000000000001' })).toBe(true);
    expect(m({ rate: '12.50' }, { rate: '12.5' })).toBe(true);
    expect(m({ rate: { $lt: 0.3 } }, { rate: '0.29999999999999999' })).toBe(true);
    expect(m({ balance: 5 }, { balance: '5' })).toBe(true);
  });
  it('matches any element of a list and contains on lists and text', () => {
    expect(m({ tags: 'food' }, { tags: ['sports', 'food'] })).toBe(true);
    expect(m({ tags: { $ne: 'food' } }, { tags: ['food'] })).toBe(false);
    expect(m({ tags: { $contains: 'food' } }, { tags: ['food'] })).toBe(true);
    expect(m({ tier: { $contains: 'ol' } }, { tier: 'gold' })).toBe(true);
    expect(m({ tier: { $startsWith: 'go' } }, { tier: 'gold' })).toBe(true);
    expect(m({ tags: { $in: ['x', 'food'] } }, { tags: ['food'] })).toBe(true);
  });
  it('reads dates as text and date-only times as Shanghai midnight', () => {
    expect(canonicalTime('2026-11-23')).toBe('2026-11-22T16:00:00.000Z');
    expect(canonicalTime('2026-11-23T10:00:00+08:00')).toBe('2026-11-23T02:00:00.000Z');
    expect(m({ at: { $gte: '2026-11-23' } }, { at: '2026-11-22T16:00:00.000Z' })).toBe(true);
    expect(m({ at: { $gte: '2026-11-23' } }, { at: '2026-11-22T15:59:59.999Z' })).toBe(false);
    expect(m({ birthday: { $lt: '2000-01-01' } }, { birthday: '1999-12-31' })).toBe(true);
  });
  it('follows dotted paths and joins with $and, $or, $not', () => {
    expect(m({ 'home.province': '440000' }, { home: { province: '440000' } })).toBe(true);
    expect(m({ $or: [] }, {})).toBe(false);
    expect(m({ $and: [] }, {})).toBe(true);
    expect(m({ $or: [{ tier: 'gold' }, { vip: true }] }, { vip: true })).toBe(true);
    expect(m({ tier: 'gold', vip: true }, { tier: 'gold' })).toBe(false);
    expect(m({ nosuch: 1 }, {})).toBe(false);
    expect(m({ $where: 'x' }, {})).toBe(false);
  });
});

const fields: FieldDef[] = [
  { key: 'name', type: 'text', label: '姓名', required: true },
  { key: 'tier', type: 'select', label: '等级', options: [{ value: 'normal', label: '普通' }, { value: 'gold', label: '金卡' }] },
  { key: 'balance', type: 'money', label: '余额' },
  { key: 'vip', type: 'checkbox', label: 'VIP' },
  // Shown for VIPs; required once the balance reaches 1,000 yuan (stored in fen).
  { key: 'note', type: 'textarea', label: '备注', visibleWhen: { vip: true }, requiredWhen: { balance: { $gte: 100000 } } },
  { key: 'card', type: 'text', label: '卡号', requiredWhen: { tier: 'gold' } },
  { key: 'no', type: 'autonumber', label: '编号' },
];

describe('conditional visibility and required, live', () => {
  it('shows and requires fields as the values change, comparing money in fen', () => {
    let s = fieldStates(fields, { name: 'a' });
    expect(s.get('note')).toEqual({ visible: false, required: false });
    expect(s.get('card')).toEqual({ visible: true, required: false });

    s = fieldStates(fields, { vip: true, balance: '999.99' });
    expect(s.get('note')).toEqual({ visible: true, required: false });
    s = fieldStates(fields, { vip: true, balance: '1000' });
    expect(s.get('note')).toEqual({ visible: true, required: true });
    // A hidden field is never required, whatever requiredWhen says.
    s = fieldStates(fields, { vip: false, balance: '5000' });
    expect(s.get('note')).toEqual({ visible: false, required: false });
    s = fieldStates(fields, { tier: 'gold' });
    expect(s.get('card')?.required).toBe(true);
  });

  it('lists blank required fields and leaves hidden and computed ones out of the body', () => {
    const values = { name: '  ', tier: 'gold', vip: false, note: 'typed before vip was unset', balance: '12.30' };
    const s = fieldStates(fields, values);
    expect(missingRequired(fields, values, s)).toEqual(['name', 'card']);
    expect(createBody(fields, { ...values, name: '张三', no: 'X' }, s)).toEqual({ name: '张三', tier: 'gold', balance: '12.30', vip: false });
  });

  it('patches only what changed, with null for cleared fields', () => {
    const before = toFormValues(fields, { _id: 'r1', _version: 3, name: '张三', balance: 1230, tier: 'gold' });
    expect(before).toEqual({ name: '张三', balance: '12.30', tier: 'gold' });
    expect(patchBody(fields, before, { ...before, balance: '12.3', tier: undefined })).toEqual({ tier: null });
    expect(patchBody(fields, before, { ...before, balance: '20' })).toEqual({ balance: '20' });
  });

  it('puts server errors at their field, nested paths below it', () => {
    const e = sortFieldErrors(
      [...fields, { key: 'items', type: 'subtable', label: '明细', fields: [{ key: 'qty', type: 'number', label: '数量' }] }],
      [
        { path: 'name', message: '此项为必填项' },
        { path: 'items[2].qty', message: '必须大于 0' },
        { path: 'home.city', message: 'x' },
        { path: '', message: '整体错误' },
      ],
    );
    expect(e.own).toEqual({ name: ['此项为必填项'] });
    expect(e.nested).toEqual({ items: { '[2].qty': ['必须大于 0'] } });
    expect(e.other).toEqual(['home.city: x', '整体错误']);
  });
});
