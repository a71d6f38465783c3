import { describe, expect, it } from 'vitest';
import { diffJson, preview } from './diff';

describe('diffJson', () => {
  it('matches fields by key, so a move is an order change and not a rewrite', () => {
    const before = { title: 'A', fields: [{ key: 'name', type: 'text', label: '姓名' }, { key: 'phone', type: 'phone', label: '电话' }] };
    const after = { title: 'A', fields: [{ key: 'phone', type: 'phone', label: '手机' }, { key: 'name', type: 'text', label: '姓名' }, { key: 'vip', type: 'checkbox', label: 'VIP' }] };
    expect(diffJson(before, after)).toEqual([
      { path: 'fields[phone].label', kind: 'changed', before: '电话', after: '手机' },
      { path: 'fields[vip]', kind: 'added', after: { key: 'vip', type: 'checkbox', label: 'VIP' } },
      { path: 'fields.order', kind: 'changed', before: ['name', 'phone'], after: ['phone', 'name'] },
    ]);
  });

  it('falls back to positions for unkeyed arrays, and sees removals', () => {
    expect(diffJson({ rows: [{ when: { a: 1 } }, { when: { a: 2 } }], note: 'x' }, { rows: [{ when: { a: 1 } }] })).toEqual([
      { path: 'rows[1]', kind: 'removed', before: { when: { a: 2 } } },
      { path: 'note', kind: 'removed', before: 'x' },
    ]);
    expect(diffJson({ a: 1 }, { a: 1 })).toEqual([]);
    expect(diffJson(undefined, { a: 1 })).toEqual([{ path: '', kind: 'added', after: { a: 1 } }]);
  });

  it('names transitions by trigger and states', () => {
    const t = (to: string) => ({ trigger: 'submit', from: 'draft', to });
    expect(diffJson({ transitions: [t('review')] }, { transitions: [t('done')] }).map((c) => [c.path, c.kind])).toEqual([
      ['transitions[submit:"draft">review]', 'removed'],
      ['transitions[submit:"draft">done]', 'added'],
    ]);
  });

  it('shortens long values', () => {
    expect(preview('x'.repeat(100), 10)).toBe('xxxxxxxxx…');
    expect(preview({ a: 1 })).toBe('{"a":1}');
  });
});
