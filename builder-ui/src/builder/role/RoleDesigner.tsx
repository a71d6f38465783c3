import { Card, Flex, Form, Tabs } from 'antd';
import { useMemo, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import type { Definition } from '../../api/types';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { GRANT_KINDS, grantCount, problemsByRow, type GrantKind, type RoleSpec } from './model';
import { RightsMatrix } from './RightsMatrix';

async function loadDefs(app: string): Promise<Partial<Record<GrantKind, Definition[]>>> {
  const kinds = GRANT_KINDS.filter((k) => k !== 'app');
  const lists = await Promise.all(kinds.map((k) => listDefinitions(app, k).catch(() => [] as Definition[])));
  return Object.fromEntries(kinds.map((k, i) => [k, lists[i]]));
}

/**
 * The role designer: who holding this role may do what in the app. One
 * rights matrix per kind of definition (forms, workflows, actions,
 * reports, dashboards...), each form with its row scope (every row, own
 * records, my store, my region, a condition) and its field rules (hidden,
 * read-only, masked). Saved, compared, published and rolled back like
 * every definition; the server applies the published role at once.
 */
export function RoleDesigner({ d }: { d: Designer<RoleSpec> }) {
  const { t } = useI18n();
  const spec = d.spec;
  const [tab, setTab] = useState<GrantKind>('form');
  const { data: defs } = useAsync(() => loadDefs(d.app), [d.app]);
  const problems = useMemo(() => problemsByRow(spec, d.problems), [spec, d.problems]);
  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form layout="vertical" size="small" component="div">
          <Flex gap={12} wrap>
            <Form.Item label={t('builder.form.label')} style={{ flex: '1 1 260px', minWidth: 0, marginBottom: 0 }}>
              <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'role:title')} onBlur={d.seal} label={t('builder.form.label')} testId="role-title" />
            </Form.Item>
            <Form.Item label={t('builder.role.description')} style={{ flex: '2 1 260px', minWidth: 0, marginBottom: 0 }}>
              <LocalizedInput
                value={spec.description}
                onChange={(description) => {
                  const { description: _old, ...rest } = spec;
                  d.set(description ? { ...rest, description } : rest, 'role:description');
                }}
                onBlur={d.seal}
                label={t('builder.role.description')}
              />
            </Form.Item>
          </Flex>
        </Form>
      </Card>
      <Card size="small" styles={{ body: { paddingTop: 0 } }}>
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as GrantKind)}
          items={GRANT_KINDS.map((k) => {
            const n = grantCount(spec, k);
            const wrong = [...problems.keys()].some((id) => id.startsWith(`${k}/`));
            return {
              key: k,
              label: <span style={wrong ? { color: '#ff4d4f' } : undefined}>{`${t(`builder.role.kind.${k}` as MessageKey)}${n > 0 ? ` (${n})` : ''}`}</span>,
              children: <RightsMatrix app={d.app} spec={spec} kind={k} defs={defs?.[k] ?? []} problems={problems} onChange={(next, group) => d.set(next, group)} />,
            };
          })}
        />
      </Card>
    </Flex>
  );
}
