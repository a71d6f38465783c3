import { Menu, type MenuProps } from 'antd';
import { useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useI18n } from '../i18n/useI18n';
import { findByPath, type NavNode } from '../navigation/buildNavigation';
import { iconFor } from '../navigation/icons';

type Item = Required<MenuProps>['items'][number];

interface Props {
  nodes: NavNode[];
  /** Called after an entry was chosen (the drawer closes then). */
  onNavigate?: () => void;
}

/** An app's menu: entries open routes, links open new tabs. */
export function SideMenu({ nodes, onNavigate }: Props) {
  const { text } = useI18n();
  const navigate = useNavigate();
  const { pathname } = useLocation();

  const byKey = useMemo(() => {
    const m = new Map<string, NavNode>();
    const walk = (ns: NavNode[]) => ns.forEach((n) => (m.set(n.key, n), n.children && walk(n.children)));
    walk(nodes);
    return m;
  }, [nodes]);

  const toItems = (ns: NavNode[]): Item[] =>
    ns.map((n) =>
      n.children
        ? { key: n.key, icon: iconFor(n.icon), label: text(n.title), children: toItems(n.children) }
        : { key: n.key, icon: iconFor(n.icon), label: text(n.title) },
    );

  const hit = findByPath(nodes, pathname);
  return (
    <Menu
      mode="inline"
      items={toItems(nodes)}
      selectedKeys={hit ? [hit.node.key] : []}
      defaultOpenKeys={hit ? hit.parents : nodes.filter((n) => n.children).map((n) => n.key)}
      onClick={({ key }) => {
        const n = byKey.get(key);
        if (n?.path) navigate(n.path);
        else if (n?.href) window.open(n.href, '_blank', 'noopener');
        onNavigate?.();
      }}
      style={{ borderInlineEnd: 'none' }}
    />
  );
}
