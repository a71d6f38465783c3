import { Input } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { fenToJson, fenToYuan, formatMoney, parseYuan } from '../../format/money';
import { useI18n } from '../../i18n/useI18n';
import { Empty, isBlank, setting, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

function precisionOf(field: FieldDef): number {
  return setting<number>(field, 'precision', 'number') ?? 2;
}

/**
 * Money is typed in yuan as text and never becomes a float: the server
 * reads the text exactly and stores fen. A hint shows at once when the text
 * is not an amount or has more decimals than the field takes.
 */
export function MoneyInput({ field, value, onChange, disabled, id }: InputProps) {
  const { t } = useI18n();
  const placeholder = usePlaceholder(field);
  const text = typeof value === 'string' ? value : '';
  const precision = precisionOf(field);
  const parsed = text.trim() === '' ? undefined : parseYuan(text, precision);
  const problem = parsed && !parsed.ok ? parsed.problem : undefined;
  return (
    <>
      <Input
        id={id}
        prefix="¥"
        value={text}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        placeholder={placeholder ?? '0.00'}
        inputMode="decimal"
        status={problem ? 'warning' : undefined}
        allowClear
        data-money-input
      />
      {problem === 'format' && <div className="tg-field-hint">{t('field.moneyFormat')}</div>}
      {problem === 'precision' && <div className="tg-field-hint">{t('field.moneyPrecision', { precision })}</div>}
    </>
  );
}

function MoneyDisplay({ value }: DisplayProps) {
  const { locale } = useI18n();
  if (isBlank(value)) return <Empty />;
  try {
    return <span>{formatMoney(value as number | string, locale)}</span>;
  } catch {
    return <span>{String(value)}</span>;
  }
}

/** money: an amount stored in fen (integer), typed and sent in yuan. */
export const money: FieldTypeUI = {
  key: 'money',
  stored: () => ({ kind: 'int' }),
  Input: MoneyInput,
  Display: MoneyDisplay,
  toForm: (fen) => (typeof fen === 'number' || typeof fen === 'string' ? fenToYuan(fen) : fen),
  // A definition's default is written in yuan, like any request value.
  fromInput: (v) => (typeof v === 'number' || typeof v === 'string' ? String(v) : v),
  toInput: (v) => (typeof v === 'string' ? v.trim().replace(/^[¥￥]/, '').replace(/[,，\s]/g, '') : v),
  toStored: (v, f) => {
    if (typeof v !== 'string' || v.trim() === '') return null;
    const r = parseYuan(v, precisionOf(f));
    return r.ok ? fenToJson(r.fen) : null;
  },
  filterValueType: () => 'money',
};
