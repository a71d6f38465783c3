import { ArrowDownOutlined, ArrowLeftOutlined, ArrowRightOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, ColorPicker, Dropdown, Empty, Flex, Form, Menu, Select, Space, Tree, Typography, type MenuProps, type TreeProps } from 'antd';
import { useMemo, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import type { AppSpec, Definition, MenuItem, MenuTarget, User } from '../../api/types';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { buildNavigation, type NavNode } from '../../navigation/buildNavigation';
import { iconFor } from '../../navigation/icons';
import { LocalizedInput } from '../LocalizedInput';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { ItemEditor, MENU_ICONS, TARGET_KINDS } from './ItemEditor';
import { allKeys, indent, insertAt, itemAt, moveItem, nudge, outdent, parsePath, pathKey, removeAt, uniqueItemKey, updateAt, type Path } from './tree';

async function loadDefs(app: string): Promise<Partial<Record<MenuTarget['kind'], Definition[]>>> {
  const lists = await Promise.all(TARGET_KINDS.map((k) => listDefinitions(app, k).catch(() => [] as Definition[])));
  return Object.fromEntries(TARGET_KINDS.map((k, i) => [k, lists[i]]));
}

type TreeNode = NonNullable<TreeProps['treeData']>[number];

/** The menu as users holding one role see it; with no role, what everyone sees. */
function MenuPreview({ app, spec, role }: { app: string; spec: AppSpec; role: string | undefined }) {
  const { text } = useI18n();
  const viewer: User = { id: 'preview', username: 'preview', displayName: '', admin: false, memberships: [], roles: role ? [{ app, role }] : [] };
  const nodes = buildNavigation({ kind: 'app', app, key: app, schemaVersion: 1, version: 1, status: 'draft', spec }, { forms: [], dashboards: [] }, viewer);
  const toItems = (ns: NavNode[]): Required<MenuProps>['items'] => ns.map((n) => (n.children ? { key: n.key, icon: iconFor(n.icon), label: text(n.title), children: toItems(n.children) } : { key: n.key, icon: iconFor(n.icon), label: text(n.title) }));
  return nodes.length > 0 ? <Menu mode="inline" items={toItems(nodes)} defaultOpenKeys={nodes.map((n) => n.key)} selectable={false} style={{ borderInlineEnd: 'none' }} data-testid="menu-preview" /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
}

/**
 * The navigation designer (an app definition): the menu as a tree — drag
 * items to reorder and nest them, or use the arrows — each item opening a
 * list, form, dashboard, report, page or link, visible to chosen roles;
 * the menu as a role sees it; the app's title, icon, color and home page.
 */
export function NavDesigner({ d }: { d: Designer<AppSpec> }) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const items = spec.navigation ?? [];
  const [selected, setSelected] = useState<number[]>();
  const [role, setRole] = useState<string>();
  const { data: defs } = useAsync(() => loadDefs(d.app), [d.app]);
  const { data: roleDefs } = useAsync(() => listDefinitions(d.app, 'role').catch(() => []), [d.app]);
  // The app's roles to pick from, by title; a key typed for a role not defined yet (or no longer) is listed by key.
  const roles = [...new Set([...(roleDefs ?? []).map((r) => r.key), ...items.flatMap(function walk(i: MenuItem): string[] { return [...(i.roles ?? []), ...(i.children ?? []).flatMap(walk)]; })])].map((key) => {
    const title = text(roleDefs?.find((r) => r.key === key)?.spec.title);
    return { value: key, label: title ? `${title} (${key})` : key };
  });
  const setItems = (navigation: MenuItem[], group?: string) => d.set({ ...spec, navigation }, group);
  const apply = (r: { items: MenuItem[]; at: number[] }) => {
    setItems(r.items);
    setSelected(r.at);
  };

  const treeData = useMemo(() => {
    const walk = (xs: MenuItem[], parent: Path): TreeNode[] =>
      xs.map((x, i) => {
        const p = [...parent, i];
        const node: TreeNode = {
          key: pathKey(p),
          icon: iconFor(x.icon),
          title: (
            <span data-testid={`nav-item-${x.key}`}>
              {text(x.title) || x.key}
              {x.roles?.length ? <Typography.Text type="secondary"> · {x.roles.join(', ')}</Typography.Text> : null}
            </span>
          ),
        };
        if (x.children) node.children = walk(x.children, p);
        return node;
      });
    return walk(items, []);
  }, [items, text]);

  const onDrop: TreeProps['onDrop'] = (info) => {
    const from = parsePath(String(info.dragNode.key));
    const to = parsePath(String(info.node.key));
    const rel = info.dropPosition - (to[to.length - 1] ?? 0);
    if (!info.dropToGap) apply(moveItem(items, from, to, 0));
    else apply(moveItem(items, from, to.slice(0, -1), (to[to.length - 1] ?? 0) + (rel > 0 ? 1 : 0)));
  };

  const add = (kind: MenuTarget['kind'] | 'link' | 'group') => {
    const first = kind === 'link' || kind === 'group' ? undefined : defs?.[kind]?.[0];
    const base = first?.key ?? kind;
    const item: MenuItem = { key: uniqueItemKey(items, base), title: first?.spec.title ?? { 'zh-CN': t(`builder.nav.new.${kind}` as MessageKey) } };
    if (kind === 'link') item.url = 'https://';
    else if (kind !== 'group') item.target = { kind, key: first?.key ?? '' };
    const parent = selected && itemAt(items, selected)?.children && kind !== 'group' ? selected : [];
    const index = parent.length > 0 ? (itemAt(items, parent)?.children?.length ?? 0) : items.length;
    setItems(insertAt(items, parent, index, item));
    setSelected([...parent, index]);
  };

  const sel = selected ? itemAt(items, selected) : undefined;
  const addMenu: MenuProps = {
    items: [...TARGET_KINDS, 'link', 'group'].map((k) => ({ key: k, label: t(`builder.nav.add.${k}` as MessageKey) })),
    onClick: ({ key }) => add(key as MenuTarget['kind']),
  };

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} />
      <Flex gap={12} align="start" wrap>
        <Card
          size="small"
          title={t('builder.nav.menu')}
          style={{ width: 360, maxWidth: '100%', flex: 'none' }}
          extra={
            <Dropdown menu={addMenu}>
              <Button size="small" type="primary" icon={<PlusOutlined />} data-testid="nav-add">
                {t('builder.nav.add')}
              </Button>
            </Dropdown>
          }
        >
          <Space style={{ marginBottom: 8 }}>
            <Button size="small" icon={<ArrowUpOutlined />} disabled={!selected} onClick={() => selected && apply(nudge(items, selected, -1))} aria-label={t('builder.moveUp')} />
            <Button size="small" icon={<ArrowDownOutlined />} disabled={!selected} onClick={() => selected && apply(nudge(items, selected, 1))} aria-label={t('builder.moveDown')} />
            <Button size="small" icon={<ArrowRightOutlined />} disabled={!selected} onClick={() => selected && apply(indent(items, selected))} aria-label={t('builder.nav.indent')} />
            <Button size="small" icon={<ArrowLeftOutlined />} disabled={!selected} onClick={() => selected && apply(outdent(items, selected))} aria-label={t('builder.nav.outdent')} />
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              disabled={!selected}
              onClick={() => {
                if (!selected) return;
                setItems(removeAt(items, selected));
                setSelected(undefined);
              }}
              aria-label={t('builder.remove')}
            />
          </Space>
          {items.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.nav.empty')} />
          ) : (
            <Tree
              draggable={{ icon: false }}
              blockNode
              showIcon
              defaultExpandAll
              treeData={treeData}
              selectedKeys={selected ? [pathKey(selected)] : []}
              onSelect={(keys) => setSelected(keys[0] !== undefined ? parsePath(String(keys[0])) : undefined)}
              onDrop={onDrop}
              data-testid="nav-tree"
            />
          )}
        </Card>
        <Card size="small" style={{ width: 360, maxWidth: '100%', flex: 'none' }} title={sel ? t('builder.nav.item') : t('builder.nav.app')}>
          {sel && selected ? (
            <ItemEditor key={pathKey(selected)} item={sel} taken={allKeys(items)} defs={defs ?? {}} roles={roles} update={(patch, group) => setItems(updateAt(items, selected, patch), group)} />
          ) : (
            <Form layout="vertical" size="small" component="div">
              <Form.Item label={t('builder.form.label')}>
                <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'app:title')} onBlur={d.seal} label={t('builder.form.label')} />
              </Form.Item>
              <Form.Item label={t('builder.nav.icon')}>
                <Select allowClear value={spec.icon} onChange={(icon?: string) => d.set({ ...spec, icon })} options={MENU_ICONS.map((i) => ({ value: i, label: <span>{iconFor(i)} {i}</span> }))} virtual={false} />
              </Form.Item>
              <Form.Item label={t('builder.nav.color')}>
                <ColorPicker value={spec.color ?? '#1677ff'} onChangeComplete={(c) => d.set({ ...spec, color: c.toHexString().slice(0, 7) })} showText />
              </Form.Item>
              <Form.Item label={t('builder.nav.home')}>
                <Select
                  allowClear
                  value={spec.homePage ? `${spec.homePage.kind}/${spec.homePage.key}` : undefined}
                  onChange={(v?: string) => {
                    const [kind, key] = (v ?? '').split('/');
                    d.set({ ...spec, homePage: v ? { kind: kind as MenuTarget['kind'], key: key! } : undefined });
                  }}
                  options={TARGET_KINDS.flatMap((k) => (defs?.[k] ?? []).map((x) => ({ value: `${k}/${x.key}`, label: `${t(`builder.nav.kind.${k}` as MessageKey)} · ${text(x.spec.title) || x.key}` })))}
                />
              </Form.Item>
            </Form>
          )}
        </Card>
        <Card size="small" style={{ width: 280, maxWidth: '100%', flex: 'none' }} title={t('builder.nav.preview')}>
          <Select allowClear placeholder={t('builder.nav.previewAll')} value={role} onChange={setRole} options={roles} style={{ width: '100%', marginBottom: 8 }} aria-label={t('builder.nav.previewAs')} data-testid="preview-role" />
          <MenuPreview app={d.app} spec={spec} role={role} />
        </Card>
      </Flex>
    </Flex>
  );
}
