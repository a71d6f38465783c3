import { Input } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { isDecimalText } from '../../records/decimal';
import { Empty, isBlank, setting, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

/** Whether text is a number with at most precision fraction digits. */
export function numberTextOk(text: string, precision: number): boolean {
  const s = text.trim();
  if (!isDecimalText(s)) return false;
  const frac = s.split('.')[1] ?? '';
  return frac.replace(/0+$/, '').length <= precision;
}

/**
 * Numbers are edited as text and sent as text, so 0.1 stays 0.1: no value
 * passes through a float on its way to the server.
 */
export function NumberText({ field, value, onChange, disabled, id, precision, suffix }: InputProps & { precision: number; suffix?: string }) {
  const { t } = useI18n();
  const placeholder = usePlaceholder(field);
  const text = typeof value === 'string' ? value : '';
  const bad = text.trim() !== '' && !numberTextOk(text, precision);
  return (
    <>
      <Input
        id={id}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        placeholder={placeholder}
        inputMode={precision > 0 ? 'decimal' : 'numeric'}
        suffix={suffix}
        status={bad ? 'warning' : undefined}
        allowClear
      />
      {bad && <div className="tg-field-hint">{t('field.numberFormat', { precision })}</div>}
    </>
  );
}

function precisionOf(field: FieldDef): number {
  return setting<number>(field, 'precision', 'number') ?? 0;
}

function NumberField(p: InputProps) {
  return <NumberText {...p} precision={precisionOf(p.field)} suffix={setting<string>(p.field, 'unit', 'string')} />;
}

function NumberDisplay({ field, value }: DisplayProps) {
  if (isBlank(value)) return <Empty />;
  const unit = setting<string>(field, 'unit', 'string');
  return (
    <span>
      {groupDigits(String(value))}
      {unit ? ` ${unit}` : ''}
    </span>
  );
}

/** Thousands separators on decimal text (both UI languages use ","), without converting it to a float. */
export function groupDigits(text: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!m) return text;
  const [, sign = '', whole = '', frac = ''] = m;
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + frac;
}

/** Stored numbers (numbers or exact text) as text for the input. */
export function numberToForm(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'bigint' ? String(v) : v;
}

/** number: an integer (precision 0) or an exact decimal. */
export const number: FieldTypeUI = {
  key: 'number',
  stored: (f) => ({ kind: precisionOf(f) === 0 ? 'int' : 'decimal' }),
  Input: NumberField,
  Display: NumberDisplay,
  toForm: numberToForm,
  fromInput: numberToForm,
  toInput: (v) => (typeof v === 'string' ? v.trim() : v),
};
