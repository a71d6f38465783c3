import { describe, expect, it } from 'vitest';
import type { AppSpec, Definition, TitledSpec, User } from '../api/types';
import { buildNavigation, findByPath, needsSources, type NavNode } from './buildNavigation';

const admin: User = { id: 'u1', username: 'admin', displayName: 'Admin', admin: true, memberships: [], roles: [] };
const clerk: User = { ...admin, id: 'u2', username: 'clerk', admin: false, roles: [{ app: 'crm', role: 'clerk' }] };

function def<S>(kind: string, key: string, spec: S): Definition<S> {
  return { kind, app: 'crm', key, schemaVersion: 1, version: 1, status: 'published', spec };
}

const crm = def<AppSpec>('app', 'crm', {
  title: { 'zh-CN': '会员', en: 'Members' },
  navigation: [
    { key: 'home', title: '首页', icon: 'home', target: { kind: 'dashboard', key: 'store-kpi' } },
    {
      key: 'members',
      title: { 'zh-CN': '会员管理', en: 'Members' },
      children: [
        { key: 'list', title: '会员列表', target: { kind: 'view', key: 'members' } },
        { key: 'tiers', title: '等级规则', target: { kind: 'report', key: 'tiers' }, roles: ['hq'] },
      ],
    },
    { key: 'hq', title: '总部', roles: ['hq'], children: [{ key: 'campaigns', title: '活动', target: { kind: 'view', key: 'campaigns' } }] },
    { key: 'help', title: '帮助', url: 'https://example.com/help' },
    { key: 'empty', title: '空分组', children: [] },
  ],
});

const titles = (ns: NavNode[]): unknown[] => ns.map((n) => (n.children ? [n.key, titles(n.children)] : n.key));

describe('buildNavigation', () => {
  it('follows the app navigation with routes, links and nested keys', () => {
    const nav = buildNavigation(crm, { forms: [], dashboards: [] }, admin);
    expect(titles(nav)).toEqual(['home', ['members', ['members/list', 'members/tiers']], ['hq', ['hq/campaigns']], 'help']);
    expect(nav[0]).toMatchObject({ path: '/apps/crm/dashboard/store-kpi', icon: 'home' });
    expect(nav[1]?.children?.[0]?.path).toBe('/apps/crm/view/members');
    expect(nav[3]).toMatchObject({ href: 'https://example.com/help' });
    expect(nav[3]?.path).toBeUndefined();
  });

  it('leaves out what the user roles do not reach, and headings left empty', () => {
    const nav = buildNavigation(crm, { forms: [], dashboards: [] }, clerk);
    expect(titles(nav)).toEqual(['home', ['members', ['members/list']], 'help']);
    const hq = buildNavigation(crm, { forms: [], dashboards: [] }, { ...clerk, roles: [{ app: 'crm', role: 'hq' }] });
    expect(titles(hq)).toEqual(['home', ['members', ['members/list', 'members/tiers']], ['hq', ['hq/campaigns']], 'help']);
    const otherApp = buildNavigation(crm, { forms: [], dashboards: [] }, { ...clerk, roles: [{ app: 'pos', role: 'hq' }] });
    expect(titles(otherApp)).toEqual(['home', ['members', ['members/list']], 'help']);
  });

  it('falls back to the forms and dashboards of the app', () => {
    const bare = def<AppSpec>('app', 'crm', { title: 'CRM' });
    expect(needsSources(bare)).toBe(true);
    expect(needsSources(crm)).toBe(false);
    const forms = [def<TitledSpec>('form', 'members', { title: { 'zh-CN': '会员', en: 'Members' }, icon: 'members' }), def<TitledSpec>('form', 'coupons', {})];
    const dashboards = [def<TitledSpec>('dashboard', 'kpi', { title: '门店看板' })];
    const nav = buildNavigation(bare, { forms, dashboards }, clerk);
    expect(titles(nav)).toEqual([['form', ['form/members', 'form/coupons']], ['dashboard', ['dashboard/kpi']]]);
    expect(nav[0]?.title).toEqual({ 'zh-CN': '表单', en: 'Forms' });
    expect(nav[0]?.children?.[1]).toMatchObject({ title: 'coupons', path: '/apps/crm/form/coupons' });
    expect(nav[0]?.children?.[0]?.icon).toBe('members');
    expect(buildNavigation(bare, { forms: [], dashboards: [] }, admin)).toEqual([]);
  });

  it('finds the entry of a route with its parents', () => {
    const nav = buildNavigation(crm, { forms: [], dashboards: [] }, admin);
    expect(findByPath(nav, '/apps/crm/view/campaigns')).toMatchObject({ node: { key: 'hq/campaigns' }, parents: ['hq'] });
    expect(findByPath(nav, '/apps/crm/view/nothing')).toBeUndefined();
  });

  it('escapes keys in routes', () => {
    const app = def<AppSpec>('app', 'a b', { title: 'x', navigation: [{ key: 'k', title: 't', target: { kind: 'page', key: 'p q' } }] });
    expect(buildNavigation(app, { forms: [], dashboards: [] }, admin)[0]?.path).toBe('/apps/a%20b/page/p%20q');
  });
});
