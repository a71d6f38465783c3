import { Empty, isBlank, TextInput, textType } from './shared';
import type { DisplayProps, InputProps } from './types';

function PhoneField(p: InputProps) {
  return <TextInput {...p} inputMode="tel" maxLength={32} />;
}

function PhoneDisplay({ value, ctx }: DisplayProps) {
  if (isBlank(value) || typeof value !== 'string') return <Empty />;
  // A masked number (138****1234) is not dialable; in a row or card, a tap
  // opens the record rather than the dialler.
  return value.includes('*') || ctx.compact ? <span>{value}</span> : <a href={`tel:${value}`}>{value}</a>;
}

/** phone: a mobile or landline number; the server normalizes and checks it. */
export const phone = textType('phone', PhoneField, { Display: PhoneDisplay });
