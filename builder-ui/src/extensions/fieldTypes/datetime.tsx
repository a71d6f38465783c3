import { DatePicker } from 'antd';
import dayjs from 'dayjs';
import { formatDateTime } from '../../format/date';
import { useI18n } from '../../i18n/useI18n';
import { Empty, isBlank, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

function DatetimeField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  const v = typeof value === 'string' && dayjs(value).isValid() ? dayjs(value) : null;
  // Picked in the browser's zone and sent with its offset (canonical UTC),
  // so the instant is what the user saw.
  return (
    <DatePicker
      id={id}
      showTime={{ format: 'HH:mm' }}
      format="YYYY-MM-DD HH:mm"
      value={v}
      onChange={(d) => onChange(d ? d.second(0).millisecond(0).toISOString() : null)}
      disabled={disabled}
      placeholder={placeholder}
      inputReadOnly
      style={{ width: '100%' }}
    />
  );
}

function DatetimeDisplay({ value }: DisplayProps) {
  const { locale } = useI18n();
  if (isBlank(value) || typeof value !== 'string') return <Empty />;
  return <span>{formatDateTime(value, locale) || value}</span>;
}

/** datetime: an instant, stored as canonical UTC text. */
export const datetime: FieldTypeUI = {
  key: 'datetime',
  stored: () => ({ kind: 'time' }),
  Input: DatetimeField,
  Display: DatetimeDisplay,
  filterValueType: () => 'time',
};
