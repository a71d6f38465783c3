import { Empty, Flex, Input, Select, Typography } from 'antd';
import { useState } from 'react';
import type { FieldDef } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { MASK, readFieldRule, type FieldRuleView, type StoredFieldRule } from './model';

const RULES: FieldRuleView['rule'][] = ['visible', 'readonly', 'masked', 'hidden'];

interface Props {
  /** The form's fields; rules on keys the form no longer has are listed after them. */
  fields: FieldDef[];
  rules: Record<string, StoredFieldRule>;
  onChange: (field: string, v: FieldRuleView) => void;
  disabled?: boolean;
}

/** A mask box that writes only well-formed masks ("3*4": 3 leading, 4 trailing characters kept). */
function MaskInput({ value, onChange, label, disabled }: { value?: string; onChange: (m?: string) => void; label: string; disabled?: boolean }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(value ?? '');
  const bad = draft !== '' && !MASK.test(draft);
  return (
    <Input
      size="small"
      value={draft}
      disabled={disabled}
      status={bad ? 'error' : undefined}
      placeholder="3*4"
      title={t('builder.role.maskHelp')}
      onChange={(e) => {
        setDraft(e.target.value);
        if (e.target.value === '' || MASK.test(e.target.value)) onChange(e.target.value || undefined);
      }}
      style={{ width: 80 }}
      aria-label={label}
    />
  );
}

/**
 * What the role does to each field of a form: visible, read-only, masked
 * (with its mask) or hidden, applied by the server on every read and write.
 */
export function FieldRulesEditor({ fields, rules, onChange, disabled }: Props) {
  const { t, text } = useI18n();
  const known = new Set(fields.map((f) => f.key));
  const rows = [...fields.map((f) => ({ key: f.key, label: text(f.label) || f.key })), ...Object.keys(rules).filter((k) => !known.has(k)).map((k) => ({ key: k, label: k }))];
  if (rows.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.role.noFields')} />;
  return (
    <Flex vertical gap={4} data-testid="field-rules">
      {rows.map((r) => {
        const v = readFieldRule(rules[r.key]);
        return (
          <Flex key={r.key} gap={8} align="center" wrap data-testid={`field-rule-${r.key}`}>
            <Typography.Text style={{ flex: '1 1 120px', maxWidth: 240, minWidth: 0 }} ellipsis={{ tooltip: r.key }}>
              {r.label} <Typography.Text type="secondary">({r.key})</Typography.Text>
            </Typography.Text>
            <Select
              size="small"
              value={v.rule}
              disabled={disabled}
              onChange={(rule: FieldRuleView['rule']) => onChange(r.key, rule === 'masked' ? { rule, mask: v.mask } : { rule })}
              options={RULES.map((x) => ({ value: x, label: t(`builder.role.field.${x}` as MessageKey) }))}
              style={{ width: 110 }}
              aria-label={t('builder.role.fieldRule', { field: r.label })}
            />
            {v.rule === 'masked' && <MaskInput value={v.mask} disabled={disabled} onChange={(mask) => onChange(r.key, { rule: 'masked', mask })} label={t('builder.role.mask', { field: r.label })} />}
          </Flex>
        );
      })}
    </Flex>
  );
}
