import { setting, TextInput, textType } from './shared';
import type { InputProps } from './types';

function TextField(p: InputProps) {
  return <TextInput {...p} maxLength={setting<number>(p.field, 'maxLength', 'number') ?? 200} />;
}

/** text: one line of text (engine/form/fieldtype_text.go). */
export const text = textType('text', TextField);
