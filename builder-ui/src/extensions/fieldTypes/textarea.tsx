import { Input } from 'antd';
import { setting, textType, usePlaceholder } from './shared';
import type { InputProps } from './types';

function TextareaField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  const rows = setting<number>(field, 'rows', 'number') ?? 3;
  return (
    <Input.TextArea
      id={id}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      disabled={disabled}
      placeholder={placeholder}
      autoSize={{ minRows: rows, maxRows: Math.max(rows, 12) }}
      maxLength={setting<number>(field, 'maxLength', 'number') ?? 10000}
    />
  );
}

/** textarea: several lines of text; line breaks are kept. */
export const textarea = textType('textarea', TextareaField, {
  // Leading and trailing blank lines go, inner ones stay, as on the server.
  toInput: (v) => (typeof v === 'string' ? v.replace(/^\s+|\s+$/g, '') : v),
});
