import type { AppSpec, Definition, LocalizedText, MenuItem, MenuTarget, User } from '../api/types';
import { messages, type MessageKey } from '../i18n/messages';

/** One entry of the side menu, ready to render. */
export interface NavNode {
  /** Unique in the tree: the item keys from the root, joined by "/". */
  key: string;
  title: LocalizedText;
  icon?: string;
  /** A route inside the UI. */
  path?: string;
  /** An address outside the UI, opened in a new tab. */
  href?: string;
  children?: NavNode[];
}

/** The definitions a menu is built from when the app has no navigation. */
export interface NavSources {
  forms: Definition[];
  dashboards: Definition[];
}

/** The UI route of a definition of an app. */
export function targetPath(app: string, target: MenuTarget): string {
  return `/apps/${encodeURIComponent(app)}/${target.kind}/${encodeURIComponent(target.key)}`;
}

/** A message in every locale, for menu titles the UI itself supplies. */
function allLocales(key: MessageKey): LocalizedText {
  return { 'zh-CN': messages['zh-CN'][key], en: messages.en[key] };
}

function allowed(item: MenuItem, app: string, user: User): boolean {
  if (!item.roles || item.roles.length === 0 || user.admin) return true;
  return user.roles.some((r) => r.app === app && item.roles?.includes(r.role));
}

function fromItems(items: MenuItem[], app: string, user: User, parent: string): NavNode[] {
  const out: NavNode[] = [];
  for (const item of items) {
    if (!allowed(item, app, user)) continue;
    const node: NavNode = { key: parent ? `${parent}/${item.key}` : item.key, title: item.title };
    if (item.icon) node.icon = item.icon;
    if (item.target) node.path = targetPath(app, item.target);
    else if (item.url) node.href = item.url;
    if (item.children && item.children.length > 0) {
      const children = fromItems(item.children, app, user, node.key);
      if (children.length > 0) node.children = children;
    }
    // A heading whose every entry is hidden from this user goes too.
    if (node.path || node.href || node.children) out.push(node);
  }
  return out;
}

function group(app: string, kind: 'form' | 'dashboard', title: MessageKey, icon: string, defs: Definition[]): NavNode[] {
  if (defs.length === 0) return [];
  const children = defs.map((d): NavNode => {
    const node: NavNode = { key: `${kind}/${d.key}`, title: d.spec.title ?? d.key, path: targetPath(app, { kind, key: d.key }) };
    if (d.spec.icon) node.icon = d.spec.icon;
    return node;
  });
  return [{ key: kind, title: allLocales(title), icon, children }];
}

/**
 * The side menu of an app: its navigation when the definition has one
 * (items the user's roles do not reach left out), otherwise a group of its
 * forms and a group of its dashboards.
 */
export function buildNavigation(app: Definition<AppSpec>, sources: NavSources, user: User): NavNode[] {
  const nav = app.spec.navigation;
  if (nav && nav.length > 0) return fromItems(nav, app.key, user, '');
  return [
    ...group(app.key, 'form', 'nav.forms', 'form', sources.forms),
    ...group(app.key, 'dashboard', 'nav.dashboards', 'dashboard', sources.dashboards),
  ];
}

/** Whether an app's menu needs the forms and dashboards lists. */
export function needsSources(app: Definition<AppSpec>): boolean {
  return !app.spec.navigation || app.spec.navigation.length === 0;
}

/** The node whose route is pathname, with the keys of its ancestors. */
export function findByPath(nodes: NavNode[], pathname: string, parents: string[] = []): { node: NavNode; parents: string[] } | undefined {
  for (const n of nodes) {
    if (n.path === pathname) return { node: n, parents };
    if (n.children) {
      const hit = findByPath(n.children, pathname, [...parents, n.key]);
      if (hit) return hit;
    }
  }
  return undefined;
}
