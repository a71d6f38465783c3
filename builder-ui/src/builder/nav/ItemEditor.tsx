import { Form, Input, Select, Segmented } from 'antd';
import { useEffect, useState } from 'react';
import type { Definition, MenuItem, MenuTarget } from '../../api/types';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { iconFor } from '../../navigation/icons';
import { LocalizedInput } from '../LocalizedInput';
import { FIELD_KEY } from '../form/model';

/** The icon names the runtime menu draws (navigation/icons.tsx). */
export const MENU_ICONS = ['home', 'app', 'user', 'team', 'shop', 'cart', 'card', 'gift', 'tags', 'table', 'form', 'file', 'chart', 'dashboard', 'link', 'settings'];

export const TARGET_KINDS: MenuTarget['kind'][] = ['view', 'form', 'dashboard', 'report', 'page'];

interface Props {
  item: MenuItem;
  taken: ReadonlySet<string>;
  defs: Partial<Record<MenuTarget['kind'], Definition[]>>;
  /** The app's roles to pick from (value: role key). */
  roles: { value: string; label: string }[];
  update: (patch: Partial<MenuItem>, group?: string) => void;
}

type Opens = 'target' | 'url' | 'group';

/** A menu entry: its key, title and icon, what it opens (a list, form, dashboard, report, page, or a link), and the roles that see it. */
export function ItemEditor({ item, taken, defs, roles, update }: Props) {
  const { t, text } = useI18n();
  const [key, setKey] = useState(item.key);
  useEffect(() => setKey(item.key), [item.key]);
  const badKey = !FIELD_KEY.test(key) || (key !== item.key && taken.has(key));
  const opens: Opens = item.target ? 'target' : item.url !== undefined ? 'url' : 'group';
  const kind = item.target?.kind ?? 'view';
  return (
    <Form layout="vertical" size="small" component="div" data-testid="item-editor">
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={item.title} onChange={(title) => update({ title: title ?? '' }, `nav-title:${item.key}`)} label={t('builder.form.label')} testId="item-title" />
      </Form.Item>
      <Form.Item label={t('builder.form.key')} validateStatus={badKey ? 'error' : undefined} help={badKey ? t('builder.form.keyRule') : undefined}>
        <Input value={key} onChange={(e) => setKey(e.target.value)} onBlur={() => !badKey && key !== item.key && update({ key })} aria-label={t('builder.form.key')} />
      </Form.Item>
      <Form.Item label={t('builder.nav.icon')}>
        <Select allowClear value={item.icon} onChange={(icon?: string) => update({ icon })} options={MENU_ICONS.map((i) => ({ value: i, label: <span>{iconFor(i)} {i}</span> }))} virtual={false} aria-label={t('builder.nav.icon')} />
      </Form.Item>
      <Form.Item label={t('builder.nav.opens')}>
        <Segmented
          value={opens}
          onChange={(o) => {
            if (o === 'url') update({ url: 'https://', target: undefined });
            else if (o === 'group') update({ url: undefined, target: undefined });
            else update({ url: undefined, target: { kind: 'view', key: defs.view?.[0]?.key ?? '' } });
          }}
          options={(['target', 'url', 'group'] as const).map((o) => ({ value: o, label: t(`builder.nav.opens.${o}` as MessageKey) }))}
        />
      </Form.Item>
      {opens === 'target' && (
        <>
          <Form.Item label={t('definition.kind')}>
            <Select value={kind} onChange={(k: MenuTarget['kind']) => update({ target: { kind: k, key: defs[k]?.[0]?.key ?? '' } })} options={TARGET_KINDS.map((k) => ({ value: k, label: t(`builder.nav.kind.${k}` as MessageKey) }))} aria-label={t('definition.kind')} />
          </Form.Item>
          <Form.Item label={t('builder.nav.target')}>
            <Select showSearch optionFilterProp="label" value={item.target?.key || undefined} onChange={(k: string) => update({ target: { kind, key: k } })} options={(defs[kind] ?? []).map((d) => ({ value: d.key, label: `${text(d.spec.title) || d.key} (${d.key})` }))} aria-label={t('builder.nav.target')} data-testid="item-target" />
          </Form.Item>
        </>
      )}
      {opens === 'url' && (
        <Form.Item label={t('builder.nav.url')}>
          <Input value={item.url ?? ''} onChange={(e) => update({ url: e.target.value }, `nav-url:${item.key}`)} aria-label={t('builder.nav.url')} />
        </Form.Item>
      )}
      <Form.Item label={t('builder.nav.roles')} extra={t('builder.nav.rolesHelp')}>
        <Select mode="tags" optionFilterProp="label" value={item.roles ?? []} onChange={(r: string[]) => update({ roles: r.length > 0 ? r : undefined })} options={roles} aria-label={t('builder.nav.roles')} data-testid="item-roles" />
      </Form.Item>
    </Form>
  );
}
