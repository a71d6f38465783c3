import { Form } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import type { FieldContext } from '../../extensions/fieldTypes/types';
import { useI18n } from '../../i18n/useI18n';
import { editable } from '../formModel';

interface Props {
  field: FieldDef;
  value: unknown;
  onChange: (v: unknown) => void;
  app: string;
  form: string;
  required: boolean;
  /** Messages at the field itself. */
  errors?: string[];
  /** Messages below it (items[2].qty), by relative path. */
  nested?: Record<string, string[]>;
  disabled?: boolean;
}

/** One field of a form: label, required mark, the type's control, and the server's messages under it. */
export function FieldItem({ field, value, onChange, app, form, required, errors = [], nested = {}, disabled }: Props) {
  const { text } = useI18n();
  const ui = fieldTypeUI(field.type);
  const id = `field-${field.key}`;
  const ctx: FieldContext = { app, form, nestedErrors: nested };
  // Types that cannot show errors below themselves get them listed here.
  const extra = ui.showsNestedErrors ? [] : Object.entries(nested).map(([p, m]) => `${p}: ${m.join('; ')}`);
  const messages = [...errors, ...extra];
  const Input = ui.Input;
  return (
    <div data-testid={`field-${field.key}`}>
    <Form.Item
      label={text(field.label)}
      htmlFor={id}
      required={required}
      validateStatus={messages.length > 0 || Object.keys(nested).length > 0 ? 'error' : undefined}
      help={messages.length > 0 ? messages.join('; ') : undefined}
      extra={field.description ? text(field.description) : undefined}
    >
      {Input && editable(field) ? <Input field={field} value={value} onChange={onChange} ctx={ctx} disabled={disabled} id={id} /> : <ui.Display field={field} value={value} ctx={ctx} />}
    </Form.Item>
    </div>
  );
}
