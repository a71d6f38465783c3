import { Checkbox, Select } from 'antd';
import { OPS_LIST } from '../../records/stored';
import { OptionTag, useSelectOptions } from './select';
import { Empty, isBlank, setting, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

function MultiselectField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  const options = useSelectOptions(field.options);
  const v = Array.isArray(value) ? (value as string[]) : [];
  if (setting<string>(field, 'display', 'string') === 'checkbox') {
    return (
      <span id={id}>
        <Checkbox.Group value={v} onChange={(x) => onChange(x)} disabled={disabled} options={options} />
      </span>
    );
  }
  return (
    <Select
      id={id}
      mode="multiple"
      value={v}
      onChange={(x) => onChange(x)}
      disabled={disabled}
      placeholder={placeholder}
      options={options}
      maxCount={setting<number>(field, 'maxItems', 'number')}
      allowClear
      optionFilterProp="label"
      style={{ width: '100%' }}
    />
  );
}

function MultiselectDisplay({ field, value }: DisplayProps) {
  if (isBlank(value) || !Array.isArray(value)) return <Empty />;
  return (
    <span>
      {value.map((v) => (
        <OptionTag key={String(v)} field={field} value={String(v)} />
      ))}
    </span>
  );
}

/** multiselect: several of the field's options, a list of codes. */
export const multiselect: FieldTypeUI = {
  key: 'multiselect',
  stored: () => ({ kind: 'string', array: true, ops: OPS_LIST }),
  Input: MultiselectField,
  Display: MultiselectDisplay,
  filterValueType: () => 'option',
};
