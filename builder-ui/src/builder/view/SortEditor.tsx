import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Select } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { SortKey } from './model';

interface Props {
  keys: SortKey[];
  /** The fields records can be sorted by. */
  fields: FieldDef[];
  onChange: (keys: SortKey[]) => void;
}

/** A view's sort: fields in order of precedence, each ascending or descending. */
export function SortEditor({ keys, fields, onChange }: Props) {
  const { t, text } = useI18n();
  const at = (i: number, k: SortKey) => onChange(keys.map((x, j) => (j === i ? k : x)));
  const used = new Set(keys.map((k) => k.field));
  const options = [
    ...fields.map((f) => ({ value: f.key, label: text(f.label) || f.key })),
    { value: '_createdAt', label: t('builder.view.createdAt') },
    { value: '_updatedAt', label: t('builder.view.updatedAt') },
  ];
  const next = options.find((o) => !used.has(o.value));
  return (
    <Flex vertical gap={6} data-testid="view-sort">
      {keys.map((k, i) => (
        <Flex key={i} gap={6} align="center" wrap>
          <Select showSearch optionFilterProp="label" virtual={false} size="small" value={k.field} onChange={(field: string) => at(i, { ...k, field })} options={options.map((o) => ({ ...o, disabled: o.value !== k.field && used.has(o.value) }))} style={{ flex: '1 1 140px', minWidth: 0 }} aria-label={t('builder.view.sortField')} />
          <Select
            size="small"
            value={k.desc ? 'desc' : 'asc'}
            onChange={(v: string) => at(i, { ...k, desc: v === 'desc' })}
            options={[
              { value: 'asc', label: t('builder.view.asc') },
              { value: 'desc', label: t('builder.view.desc') },
            ]}
            style={{ width: 100 }}
            aria-label={t('builder.view.direction')}
          />
          <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => onChange(keys.filter((_x, j) => j !== i))} aria-label={t('builder.remove')} />
        </Flex>
      ))}
      <div>
        <Button size="small" icon={<PlusOutlined />} disabled={!next} onClick={() => next && onChange([...keys, { field: next.value, desc: false }])} data-testid="view-add-sort">
          {t('builder.view.addSort')}
        </Button>
      </div>
    </Flex>
  );
}
