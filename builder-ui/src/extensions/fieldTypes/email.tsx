import { Empty, isBlank, TextInput, textType } from './shared';
import type { DisplayProps, InputProps } from './types';

function EmailField(p: InputProps) {
  return <TextInput {...p} inputMode="email" maxLength={254} />;
}

function EmailDisplay({ value, ctx }: DisplayProps) {
  if (isBlank(value) || typeof value !== 'string') return <Empty />;
  // In a row or card a tap opens the record, not the mail program.
  return ctx.compact ? <span>{value}</span> : <a href={`mailto:${value}`}>{value}</a>;
}

/** email: an address, checked by the server. */
export const email = textType('email', EmailField, { Display: EmailDisplay });
