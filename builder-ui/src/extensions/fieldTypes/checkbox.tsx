import { Checkbox, Switch } from 'antd';
import { useI18n } from '../../i18n/useI18n';
import { Empty, setting } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

function CheckboxField({ field, value, onChange, disabled, id }: InputProps) {
  const { text } = useI18n();
  if (setting<string>(field, 'display', 'string') === 'switch') {
    return <Switch id={id} checked={value === true} onChange={(v) => onChange(v)} disabled={disabled} />;
  }
  return (
    <Checkbox id={id} checked={value === true} onChange={(e) => onChange(e.target.checked)} disabled={disabled}>
      {field.placeholder ? text(field.placeholder) : null}
    </Checkbox>
  );
}

function CheckboxDisplay({ value }: DisplayProps) {
  const { t } = useI18n();
  if (value === null || value === undefined) return <Empty />;
  return <span>{value === true ? t('field.yes') : t('field.no')}</span>;
}

/** checkbox: yes or no. */
export const checkbox: FieldTypeUI = {
  key: 'checkbox',
  stored: () => ({ kind: 'bool' }),
  Input: CheckboxField,
  Display: CheckboxDisplay,
};
