import { Empty, isBlank, setting } from './shared';
import { groupDigits, NumberText, numberToForm } from './number';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

function PercentField(p: InputProps) {
  return <NumberText {...p} precision={setting<number>(p.field, 'precision', 'number') ?? 4} suffix="%" />;
}

function PercentDisplay({ value }: DisplayProps) {
  if (isBlank(value)) return <Empty />;
  return <span>{groupDigits(String(value))}%</span>;
}

/** percent: a rate in percent units ("12.5" is 12.5 %), exact decimal text. */
export const percent: FieldTypeUI = {
  key: 'percent',
  stored: () => ({ kind: 'decimal' }),
  Input: PercentField,
  Display: PercentDisplay,
  toForm: numberToForm,
  fromInput: numberToForm,
  toInput: (v) => (typeof v === 'string' ? v.trim().replace(/%$/, '') : v),
};
