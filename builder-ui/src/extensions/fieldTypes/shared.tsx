import { Input, Tag, Typography } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { formatDate, formatDateTime } from '../../format/date';
import { formatMoney } from '../../format/money';
import { useI18n } from '../../i18n/useI18n';
import { OPS_LIST, type Kind, type StoredShape } from '../../records/stored';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

/** What "no value" means for required: null, blank text, an empty list or object (the server's isBlankValue). */
export function isBlank(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** A setting of the field object, when it has the expected type. */
export function setting<T extends string | number | boolean>(field: FieldDef, name: string, kind: 'string' | 'number' | 'boolean'): T | undefined {
  const v = field[name];
  return typeof v === kind ? (v as T) : undefined;
}

/** The placeholder of a field in the current language. */
export function usePlaceholder(field: FieldDef): string | undefined {
  const { text } = useI18n();
  return field.placeholder ? text(field.placeholder) : undefined;
}

/** The value shown for "nothing". */
export function Empty() {
  return <Typography.Text type="secondary">—</Typography.Text>;
}

/** Plain text, one line in compact places and wrapped otherwise. */
export function TextDisplay({ value, ctx }: DisplayProps) {
  if (isBlank(value)) return <Empty />;
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return ctx.compact ? <span>{s}</span> : <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{s}</span>;
}

/** A single-line text input (text, email, phone, ID number, barcode). */
export function TextInput({ field, value, onChange, disabled, id, inputMode, maxLength }: InputProps & { inputMode?: 'text' | 'email' | 'tel' | 'numeric'; maxLength?: number }) {
  const placeholder = usePlaceholder(field);
  return (
    <Input
      id={id}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      disabled={disabled}
      placeholder={placeholder}
      inputMode={inputMode}
      maxLength={maxLength}
      allowClear
    />
  );
}

/** Text types share their behaviour; each file only names its key, control and shape. */
export function textType(key: string, Input: FieldTypeUI['Input'], extra: Partial<FieldTypeUI> = {}): FieldTypeUI {
  return {
    key,
    stored: () => ({ kind: 'string' }),
    Input,
    Display: TextDisplay,
    toInput: (v) => (typeof v === 'string' ? v.trim() : v),
    ...extra,
  };
}

/** A value of a stored kind, formatted for people (computed fields, unknown types). */
export function KindDisplay({ value, kind, money, ctx }: { value: unknown; kind: Kind; money?: boolean; ctx: DisplayProps['ctx'] }) {
  const { t, locale } = useI18n();
  if (isBlank(value)) return <Empty />;
  if (Array.isArray(value)) {
    return (
      <span>
        {value.map((v, i) => (
          <Tag key={i}>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</Tag>
        ))}
      </span>
    );
  }
  if (money && (typeof value === 'number' || typeof value === 'string')) {
    try {
      return <span>{formatMoney(value, locale)}</span>;
    } catch {
      return <span>{String(value)}</span>;
    }
  }
  switch (kind) {
    case 'bool':
      return <span>{value === true ? t('field.yes') : t('field.no')}</span>;
    case 'date':
      return <span>{String(value)}</span>;
    case 'time':
      return <span>{formatDateTime(String(value), locale) || String(value)}</span>;
  }
  return <TextDisplay field={{ key: '', type: '', label: '' }} value={typeof value === 'object' ? JSON.stringify(value) : String(value)} ctx={ctx} />;
}

/** A date for people: the stored text, as dates have no zone. */
export function dateText(v: unknown, locale: Parameters<typeof formatDate>[1]): string {
  if (typeof v !== 'string') return '';
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : formatDate(v, locale);
}

/** The stored shape of a computed type from its declared kind. */
export function kindShape(v: unknown, fallback: Kind = 'string'): StoredShape {
  const kinds: Kind[] = ['string', 'int', 'decimal', 'bool', 'date', 'time'];
  return { kind: kinds.includes(v as Kind) ? (v as Kind) : fallback };
}

/**
 * The read-only rendering of a value whose type has no UI half (a plugin
 * type without renderer): its raw JSON, so the page still works.
 */
export function RawDisplay({ value }: DisplayProps) {
  if (isBlank(value)) return <Empty />;
  return (
    <Typography.Text code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
      {typeof value === 'string' ? value : JSON.stringify(value)}
    </Typography.Text>
  );
}

/**
 * Types holding ids (relation, user, orgunit) share their shape: one id,
 * or a list when multiple, filtered with the server's list operators and
 * edited in filters by the type's own picker.
 */
export function idType(key: string, Input: FieldTypeUI['Input'], Display: FieldTypeUI['Display']): FieldTypeUI {
  return {
    key,
    stored: (f) => ({ kind: 'string', array: f.multiple === true, ops: OPS_LIST }),
    Input,
    Display,
    filterValueType: () => 'id',
  };
}
