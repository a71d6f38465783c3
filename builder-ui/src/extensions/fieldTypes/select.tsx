import { Radio, Select, Tag } from 'antd';
import type { FieldDef, FieldOption } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { OPS_CHOICE } from '../../records/stored';
import { Empty, isBlank, setting, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

/** A choice shown as a tag in its color; an unknown code (an option since removed) as itself. */
export function OptionTag({ field, value }: { field: FieldDef; value: string }) {
  const { text } = useI18n();
  const opt = field.options?.find((o) => o.value === value);
  return <Tag color={opt?.color}>{opt ? text(opt.label) : value}</Tag>;
}

/** The options of a field for antd's Select. */
export function useSelectOptions(options: FieldOption[] | undefined) {
  const { text } = useI18n();
  return (options ?? []).map((o) => ({ value: o.value, label: text(o.label) }));
}

function SelectField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  const options = useSelectOptions(field.options);
  const v = typeof value === 'string' ? value : undefined;
  if (setting<string>(field, 'display', 'string') === 'radio') {
    return <Radio.Group id={id} value={v} onChange={(e) => onChange(e.target.value)} disabled={disabled} options={options} />;
  }
  return (
    <Select
      id={id}
      value={v}
      onChange={(x) => onChange(x ?? null)}
      disabled={disabled}
      placeholder={placeholder}
      options={options}
      allowClear
      showSearch
      optionFilterProp="label"
      style={{ width: '100%' }}
    />
  );
}

function SelectDisplay({ field, value }: DisplayProps) {
  if (isBlank(value) || typeof value !== 'string') return <Empty />;
  return <OptionTag field={field} value={value} />;
}

/** select: one of the field's options, stored as its code. */
export const select: FieldTypeUI = {
  key: 'select',
  stored: () => ({ kind: 'string', ops: OPS_CHOICE }),
  Input: SelectField,
  Display: SelectDisplay,
  filterValueType: () => 'option',
};
