import { Flex, Select } from 'antd';
import { useMemo, useState } from 'react';
import type { FilterJson, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { filterFields } from '../../records/filter/fields';
import { FilterEditor } from '../FilterEditor';
import { choose, parseScope, unitFields, type ScopeChoice, type ScopeMode } from './model';

const MODES: ScopeMode[] = ['all', 'own', 'unit', 'subtree', 'custom'];

interface Props {
  app: string;
  /** The form of the row; undefined on the "every form" row. */
  form?: { key: string; spec: FormSpec };
  value: FilterJson | undefined;
  onChange: (c: ScopeChoice) => void;
  disabled?: boolean;
  /** Only the mode select (the matrix cell): a condition of its own is written in the row's details. */
  compact?: boolean;
}

/**
 * The row scope of a form grant: every row, the user's own records, the
 * records of the user's org unit (my store) or of the unit and the units
 * under it (my region) by an org-unit field of the form, or a condition
 * built with the runtime's filter builder.
 */
export function ScopeEditor({ app, form, value, onChange, disabled, compact }: Props) {
  const { t, text } = useI18n();
  const stored = parseScope(value);
  // "Own condition" stays open while its condition is still empty (stored as every row).
  const [writing, setWriting] = useState(false);
  const choice: ScopeChoice = writing && stored.mode === 'all' ? { mode: 'custom', filter: {} } : stored;
  const units = useMemo(() => unitFields(form?.spec.fields ?? []), [form]);
  const fields = useMemo(() => (form ? filterFields(form.spec) : []), [form]);
  // Unit scopes need an org-unit field; "custom" needs the form's fields.
  const offered = MODES.filter((m) => {
    if (m === choice.mode) return true;
    if (m === 'unit' || m === 'subtree') return units.length > 0;
    if (m === 'custom') return !compact && !!form;
    return true;
  });
  const label = (k: string) => {
    const f = form?.spec.fields.find((x) => x.key === k);
    return f ? `${text(f.label) || k} (${k})` : k;
  };
  return (
    <Flex vertical gap={8} style={{ minWidth: 0 }}>
      <Flex gap={8} wrap>
        <Select
          size="small"
          value={choice.mode}
          disabled={disabled}
          onChange={(m: ScopeMode) => {
            const next = choose(m, choice, units);
            setWriting(m === 'custom');
            if (next) onChange(next);
          }}
          options={offered.map((m) => ({ value: m, label: t(`builder.role.scope.${m}` as MessageKey) }))}
          style={{ width: 150 }}
          aria-label={t('builder.role.scope')}
          data-testid={`scope-${form?.key ?? 'any'}`}
        />
        {!compact && (choice.mode === 'unit' || choice.mode === 'subtree') && (
          <Select
            size="small"
            value={choice.field}
            disabled={disabled}
            onChange={(field: string) => onChange({ mode: choice.mode, field })}
            options={[...new Set([...units, choice.field])].map((k) => ({ value: k, label: label(k) }))}
            style={{ minWidth: 160, maxWidth: '100%' }}
            aria-label={t('builder.role.scopeField')}
          />
        )}
      </Flex>
      {!compact && choice.mode === 'custom' && form && (
        <FilterEditor key={fields.length} app={app} form={form.key} fields={fields} value={choice.filter} onChange={(filter) => onChange({ mode: 'custom', filter: filter ?? {} })} />
      )}
    </Flex>
  );
}
