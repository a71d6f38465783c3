import { TextInput, textType } from './shared';
import type { InputProps } from './types';

function IdcardField(p: InputProps) {
  // The check character is an upper-case X; people type either case.
  return <TextInput {...p} onChange={(v) => p.onChange(typeof v === 'string' ? v.toUpperCase() : v)} maxLength={18} />;
}

/** idcard: an 18-character resident ID number, checked (and masked for some readers) by the server. */
export const idcard = textType('idcard', IdcardField);
