import { describe, expect, it } from 'vitest';
import type { FormSpec } from '../../api/formTypes';
import { initHistory, record, redo, undo } from '../lifecycle/history';
import { addSection, duplicateField, insertField, moveField, moveSection, newField, nudgeField, removeField, removeSection, renameField, sectionsOf, slotOf, uniqueKey, updateField, updateSection } from './model';
import { formProblems } from './problems';

const f = (key: string, type = 'text') => ({ key, type, label: key });

const spec: FormSpec = {
  title: '会员投诉',
  titleField: 'subject',
  fields: [f('subject'), f('member', 'relation'), f('kind', 'select'), f('detail', 'textarea')],
  layout: { sections: [{ title: '基本', columns: 2, fields: ['subject', 'member'] }, { columns: 1, fields: ['kind'] }] },
};
spec.fields[1]!.form = 'members';
spec.fields[2]!.options = [{ value: 'a', label: 'A' }];

const order = (s: FormSpec) => sectionsOf(s).map((x) => x.fields);

describe('form model', () => {
  it('shows fields no section names in the last section, and a form without layout as one section', () => {
    expect(order(spec)).toEqual([['subject', 'member'], ['kind', 'detail']]);
    expect(sectionsOf({ title: 'x', fields: [f('a'), f('b')] })).toEqual([{ columns: 2, fields: ['a', 'b'] }]);
    // Unknown and repeated keys in a layout are dropped.
    expect(order({ ...spec, layout: { sections: [{ fields: ['nope', 'subject', 'subject'] }] } })).toEqual([['subject', 'member', 'kind', 'detail']]);
  });

  it('adds a new field of each kind with what it needs, under a fresh key', () => {
    const sel = newField(spec, 'select', 'complaints');
    expect(sel.key).toBe('select1');
    expect(sel.options).toHaveLength(2);
    expect(newField(spec, 'relation', 'complaints').form).toBe('complaints');
    expect(newField(spec, 'formula', 'c')).toMatchObject({ expression: '0', resultType: 'number' });
    expect(newField(spec, 'lookup', 'c')).toMatchObject({ relation: 'member', field: '' });
    expect(newField(spec, 'subtable', 'c').fields).toHaveLength(1);
    expect(uniqueKey({ ...spec, fields: [...spec.fields, f('text1')] }, 'text')).toBe('text2');
    expect(uniqueKey(spec, '1-名称')).toBe('field1');
    const s = insertField(spec, newField(spec, 'phone', 'c'), { section: 0, index: 1 });
    expect(order(s)).toEqual([['subject', 'phone1', 'member'], ['kind', 'detail']]);
    expect(s.fields.map((x) => x.key)).toEqual(['subject', 'phone1', 'member', 'kind', 'detail']);
    expect(s.layout?.sections?.[0]?.title).toBe('基本');
  });

  it('moves fields within and across sections, and nudges over section edges', () => {
    expect(order(moveField(spec, 'subject', { section: 0, index: 1 }))).toEqual([['member', 'subject'], ['kind', 'detail']]);
    expect(order(moveField(spec, 'detail', { section: 0, index: 0 }))).toEqual([['detail', 'subject', 'member'], ['kind']]);
    expect(moveField(spec, 'nope', { section: 0, index: 0 })).toBe(spec);
    expect(order(nudgeField(spec, 'member', 1))).toEqual([['subject'], ['member', 'kind', 'detail']]);
    expect(order(nudgeField(spec, 'kind', -1))).toEqual([['subject', 'member', 'kind'], ['detail']]);
    expect(nudgeField(spec, 'subject', -1)).toBe(spec);
    expect(nudgeField(spec, 'detail', 1)).toBe(spec);
  });

  it('removes, duplicates and renames, keeping references', () => {
    const r = removeField(spec, 'subject');
    expect(r.titleField).toBeUndefined();
    expect(order(r)).toEqual([['member'], ['kind', 'detail']]);
    const d = duplicateField(spec, 'kind');
    expect(order(d)).toEqual([['subject', 'member'], ['kind', 'kind1', 'detail']]);
    const withCond = updateField(spec, 'detail', { visibleWhen: { $or: [{ kind: 'a' }, { 'member.name': { $eq: 'x' } }] }, requiredWhen: { kind: { $ne: 'a' } } });
    const lookup = insertField(withCond, { key: 'who', type: 'lookup', label: 'who', relation: 'member', field: 'name' }, { section: 1, index: 9 });
    const n = renameField(renameField(lookup, 'kind', 'category'), 'member', 'customer');
    const detail = n.fields.find((x) => x.key === 'detail')!;
    expect(detail.visibleWhen).toEqual({ $or: [{ category: 'a' }, { 'customer.name': { $eq: 'x' } }] });
    expect(detail.requiredWhen).toEqual({ category: { $ne: 'a' } });
    expect(n.fields.find((x) => x.key === 'who')!.relation).toBe('customer');
    expect(order(n)).toEqual([['subject', 'customer'], ['category', 'detail', 'who']]);
    expect(renameField(spec, 'kind', 'subject')).toBe(spec);
    expect(renameField(spec, 'subject', 'title').titleField).toBe('title');
  });

  it('updates settings and removes the ones set to undefined', () => {
    const u = updateField(spec, 'subject', { required: true, maxLength: 20 });
    expect(u.fields[0]).toEqual({ key: 'subject', type: 'text', label: 'subject', required: true, maxLength: 20 });
    expect(updateField(u, 'subject', { required: undefined }).fields[0]).toEqual({ key: 'subject', type: 'text', label: 'subject', maxLength: 20 });
    // The key is not a setting.
    expect(updateField(spec, 'subject', { key: 'x' }).fields[0]!.key).toBe('subject');
  });

  it('adds, moves, changes and removes sections without losing fields', () => {
    const a = addSection(spec, 0);
    expect(order(a)).toEqual([['subject', 'member'], [], ['kind', 'detail']]);
    expect(order(moveSection(spec, 1, 0))).toEqual([['kind', 'detail'], ['subject', 'member']]);
    expect(moveSection(spec, 0, 5)).toBe(spec);
    expect(order(removeSection(spec, 1))).toEqual([['subject', 'member', 'kind', 'detail']]);
    expect(order(removeSection(spec, 0))).toEqual([['subject', 'member', 'kind', 'detail']]);
    expect(removeSection({ title: 'x', fields: [] }, 0)).toEqual({ title: 'x', fields: [] });
    const c = updateSection(spec, 1, { columns: 3, title: '更多' });
    expect(sectionsOf(c)[1]).toEqual({ columns: 3, title: '更多', fields: ['kind', 'detail'] });
    expect(sectionsOf(updateSection(c, 1, { title: undefined }))[1]).toEqual({ columns: 3, fields: ['kind', 'detail'] });
    expect(slotOf(spec, 'detail')).toEqual({ section: 1, index: 1 });
  });

  it('undoes and redoes a sequence of designer edits', () => {
    let h = initHistory(spec);
    h = record(h, insertField(h.present, newField(h.present, 'phone', 'c'), { section: 0, index: 0 }));
    h = record(h, moveField(h.present, 'phone1', { section: 1, index: 0 }));
    h = record(h, updateField(h.present, 'phone1', { label: '手机' }), 'label:phone1');
    h = record(h, updateField(h.present, 'phone1', { label: '手机号' }), 'label:phone1');
    h = record(h, removeField(h.present, 'subject'));
    expect(order(h.present)).toEqual([['member'], ['phone1', 'kind', 'detail']]);
    h = undo(h);
    expect(order(h.present)[0]).toEqual(['subject', 'member']);
    h = undo(h);
    expect(h.present.fields.find((x) => x.key === 'phone1')!.label).toEqual({ 'zh-CN': '电话1', en: 'Phone 1' });
    h = undo(undo(h));
    expect(h.present).toBe(spec);
    h = redo(redo(redo(h)));
    expect(h.present.fields.find((x) => x.key === 'phone1')!.label).toBe('手机号');
  });
});

describe('form problems', () => {
  it('finds what the server would refuse before saving', () => {
    const bad: FormSpec = {
      title: 'x',
      titleField: 'gone',
      fields: [
        { key: 'a', type: 'text', label: '' },
        { key: 'a', type: 'text', label: 'A2' },
        { key: '9x', type: 'select', label: 'S', options: [{ value: 'v', label: 'V' }, { value: 'v', label: 'W' }] },
        { key: 'm', type: 'multiselect', label: 'M', options: [] },
        { key: 'r', type: 'relation', label: 'R' },
        { key: 'l', type: 'lookup', label: 'L', relation: 'a', field: 'x' },
        { key: 'l2', type: 'lookup', label: 'L2', relation: 'r', field: '' },
        { key: 'u', type: 'rollup', label: 'U', form: 'orders', via: 'member', op: 'sum' },
        { key: 'fx', type: 'formula', label: 'F', expression: ' ' },
        { key: 'st', type: 'subtable', label: 'ST', fields: [] },
        { key: 'c', type: 'text', label: 'C', visibleWhen: { $or: [{ nope: 1 }, { _state: 'x' }] } },
      ],
    };
    expect(formProblems(bad).map((p) => [p.field, p.code, p.params])).toEqual([
      ['a', 'noLabel', undefined],
      ['a', 'duplicateKey', { key: 'a' }],
      ['9x', 'badKey', { key: '9x' }],
      ['9x', 'duplicateOption', { value: 'v' }],
      ['m', 'noOptions', undefined],
      ['r', 'noTarget', undefined],
      ['l', 'lookupRelation', undefined],
      ['l2', 'lookupField', undefined],
      ['u', 'rollup', undefined],
      ['fx', 'noExpression', undefined],
      ['st', 'noColumns', undefined],
      ['c', 'unknownCondition', { key: 'nope' }],
      [undefined, 'titleField', { key: 'gone' }],
    ]);
    expect(formProblems(spec)).toEqual([]);
  });
});
