import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Select, Space } from 'antd';
import type { DashboardFilter, DashboardSpec } from '../../dashboards/api';
import { PRESETS } from '../../dashboards/filters';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import { addFilter, removeFilter } from './layout';
import { patched } from '../patch';

/** The dashboard's global filters: date ranges (with a default preset) and fields, bound to widgets' parameters. */
export function FiltersEditor({ spec, set }: { spec: DashboardSpec; set: (s: DashboardSpec, group?: string) => void }) {
  const { t } = useI18n();
  const filters = spec.filters ?? [];
  const at = (i: number, patch: Partial<DashboardFilter>) =>
    set(
      {
        ...spec,
        filters: filters.map((f, j) => (j === i ? patched(f, patch) : f)),
      },
      `filter:${i}`,
    );
  return (
    <Flex vertical gap={8} data-testid="filters-editor">
      {filters.map((f, i) => (
        <Flex key={i} gap={6} wrap align="start" style={{ borderInlineStart: '2px solid #eee', paddingInlineStart: 6 }}>
          <Input value={f.key} onChange={(e) => at(i, { key: e.target.value })} style={{ width: 90 }} aria-label={t('builder.form.key')} />
          <Select value={f.type} onChange={(type: DashboardFilter['type']) => at(i, { type, field: type === 'field' ? '' : undefined, default: undefined })} options={(['dateRange', 'field'] as const).map((x) => ({ value: x, label: t(`builder.dash.filter.${x}`) }))} style={{ width: 110 }} />
          {f.type === 'field' ? (
            <Input value={f.field ?? ''} onChange={(e) => at(i, { field: e.target.value })} placeholder="store" style={{ width: 120 }} aria-label={t('builder.setting.field')} />
          ) : (
            <Select allowClear value={typeof f.default === 'string' ? f.default : undefined} onChange={(d?: string) => at(i, { default: d })} options={PRESETS.map((p) => ({ value: p, label: p }))} placeholder={t('builder.form.default')} style={{ width: 130 }} />
          )}
          <div style={{ width: 200 }}>
            <LocalizedInput value={f.label} onChange={(label) => at(i, { label })} label={t('builder.form.label')} />
          </div>
          <Button type="text" danger icon={<DeleteOutlined />} onClick={() => set(removeFilter(spec, f.key))} aria-label={t('builder.remove')} />
        </Flex>
      ))}
      <Space>
        <Button size="small" icon={<PlusOutlined />} onClick={() => set(addFilter(spec, 'dateRange'))} data-testid="add-date-filter">
          {t('builder.dash.addDateFilter')}
        </Button>
        <Button size="small" icon={<PlusOutlined />} onClick={() => set(addFilter(spec, 'field'))}>
          {t('builder.dash.addFieldFilter')}
        </Button>
      </Space>
    </Flex>
  );
}
