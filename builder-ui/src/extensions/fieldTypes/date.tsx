import { DatePicker } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../../i18n/useI18n';
import { dateText, Empty, isBlank, setting, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

const DAY = 'YYYY-MM-DD';

function DateField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  const min = setting<string>(field, 'min', 'string');
  const max = setting<string>(field, 'max', 'string');
  const v = typeof value === 'string' && dayjs(value, DAY, true).isValid() ? dayjs(value, DAY) : null;
  return (
    <DatePicker
      id={id}
      value={v}
      onChange={(d) => onChange(d ? d.format(DAY) : null)}
      disabled={disabled}
      placeholder={placeholder}
      minDate={min ? dayjs(min, DAY) : undefined}
      maxDate={max ? dayjs(max, DAY) : undefined}
      inputReadOnly
      style={{ width: '100%' }}
    />
  );
}

function DateDisplay({ value }: DisplayProps) {
  const { locale } = useI18n();
  if (isBlank(value)) return <Empty />;
  return <span>{dateText(value, locale)}</span>;
}

/** date: a calendar day without time or zone, "YYYY-MM-DD". */
export const date: FieldTypeUI = {
  key: 'date',
  stored: () => ({ kind: 'date' }),
  Input: DateField,
  Display: DateDisplay,
};
