import { describe, expect, it } from 'vitest';
import type { AppSpec, MenuItem } from '../../api/types';
import { repoFile } from '../testing/goSource';
import { indent, insertAt, itemAt, moveItem, nudge, outdent, parsePath, pathKey, removeAt, uniqueItemKey, updateAt } from './tree';

const app = JSON.parse(repoFile('engine/meta/testdata/valid/app.json')) as AppSpec;
const nav = app.navigation!;
const keys = (items: readonly MenuItem[]): unknown => items.map((i) => (i.children ? { [i.key]: keys(i.children) } : i.key));

describe('menu tree', () => {
  it('finds items by path', () => {
    expect(itemAt(nav, [1, 0])!.key).toBe('campaigns');
    expect(itemAt(nav, [])).toBeUndefined();
    expect(itemAt(nav, [5])).toBeUndefined();
    expect(parsePath(pathKey([1, 0]))).toEqual([1, 0]);
    expect(parsePath('')).toEqual([]);
  });

  it('inserts, removes and updates anywhere', () => {
    const n = insertAt(nav, [1], 1, { key: 'coupons', title: '券', target: { kind: 'view', key: 'coupons' } });
    expect(keys(n)).toEqual(['members', { marketing: ['campaigns', 'coupons', 'help'] }]);
    expect(keys(removeAt(n, [1, 0]))).toEqual(['members', { marketing: ['coupons', 'help'] }]);
    // A group whose last item goes is a plain entry again.
    expect(removeAt(removeAt(removeAt(n, [1, 0]), [1, 0]), [1, 0])[1]).toEqual({ key: 'marketing', title: { 'zh-CN': '营销', en: 'Marketing' } });
    const u = updateAt(nav, [1, 1], { target: { kind: 'dashboard', key: 'kpi' } });
    expect(itemAt(u, [1, 1])).toEqual({ key: 'help', title: 'Help', target: { kind: 'dashboard', key: 'kpi' } });
    expect(itemAt(updateAt(u, [1, 1], { url: 'https://x', roles: ['hq'] }), [1, 1])).toEqual({ key: 'help', title: 'Help', url: 'https://x', roles: ['hq'] });
    expect(itemAt(updateAt(nav, [0], { icon: undefined }), [0])).toEqual({ key: 'members', title: { 'zh-CN': '会员', en: 'Members' }, target: { kind: 'view', key: 'members-all' } });
  });

  it('moves items between levels, counting indexes before the move', () => {
    expect(keys(moveItem(nav, [0], [1], 1).items)).toEqual([{ marketing: ['campaigns', 'members', 'help'] }]);
    expect(moveItem(nav, [0], [1], 1).at).toEqual([0, 1]);
    expect(keys(moveItem(nav, [1, 1], [], 0).items)).toEqual(['help', 'members', { marketing: ['campaigns'] }]);
    expect(keys(moveItem(nav, [0], [], 2).items)).toEqual([{ marketing: ['campaigns', 'help'] }, 'members']);
    // Not into itself.
    expect(moveItem(nav, [1], [1, 0], 0).items).toEqual(nav);
  });

  it('nudges, indents and outdents', () => {
    expect(keys(nudge(nav, [1, 0], 1).items)).toEqual(['members', { marketing: ['help', 'campaigns'] }]);
    expect(nudge(nav, [1, 0], 1).at).toEqual([1, 1]);
    expect(nudge(nav, [0], -1).items).toEqual(nav);
    expect(keys(indent(nav, [1, 1]).items)).toEqual(['members', { marketing: [{ campaigns: ['help'] }] }]);
    expect(keys(outdent(nav, [1, 0]).items)).toEqual(['members', { marketing: ['help'] }, 'campaigns']);
    expect(outdent(nav, [1, 0]).at).toEqual([2]);
    expect(indent(nav, [0]).items).toEqual(nav);
  });

  it('gives new items keys no item has', () => {
    expect(uniqueItemKey(nav, 'members')).toBe('members2');
    expect(uniqueItemKey(nav, 'help')).toBe('help2');
    expect(uniqueItemKey(nav, 'sales-by-store')).toBe('sales_by_store');
    expect(uniqueItemKey(nav, '会员')).toBe('item');
  });
});
