import { CheckCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Form, Input, Select, Tag, Typography } from 'antd';
import { useRef } from 'react';
import type { FieldDef, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { checkFormula, FORMULA_FUNCTIONS } from './formula';

interface Props {
  f: FieldDef;
  spec: FormSpec;
  set: (patch: Partial<FieldDef>, group?: string) => void;
  /** The server's messages for this field after the last save. */
  serverErrors: string[];
  /** Saves the draft, which has the server compile every formula. */
  onServerCheck: () => void;
  checking: boolean;
}

const RESULT_TYPES = ['text', 'number', 'money', 'date', 'datetime', 'checkbox'];

/**
 * The expression of a formula field: the form's field keys and the
 * functions to insert, a check while typing, and the server's compile
 * check (saving the draft compiles every formula; errors come back at
 * fields[i].expression).
 */
export function FormulaEditor({ f, spec, set, serverErrors, onServerCheck, checking }: Props) {
  const { t, text } = useI18n();
  const ref = useRef<HTMLTextAreaElement | null>(null);
  const expr = typeof f.expression === 'string' ? f.expression : '';
  const others = spec.fields.filter((x) => x.key !== f.key);
  const check = checkFormula(
    expr,
    others.map((x) => x.key),
  );
  const insert = (s: string) => {
    const el = ref.current;
    const at = el ? el.selectionStart : expr.length;
    const end = el ? el.selectionEnd : expr.length;
    set({ expression: expr.slice(0, at) + s + expr.slice(end) }, `expr:${f.key}`);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + s.length, at + s.length);
    });
  };
  return (
    <>
      <Form.Item label={t('builder.setting.resultType')}>
        <Select value={typeof f.resultType === 'string' ? f.resultType : 'text'} onChange={(resultType: string) => set({ resultType })} options={RESULT_TYPES.map((r) => ({ value: r, label: t(`builder.resultType.${r}` as 'builder.resultType.text') }))} aria-label={t('builder.setting.resultType')} />
      </Form.Item>
      <Form.Item
        label={t('builder.setting.expression')}
        validateStatus={check.error || serverErrors.length > 0 ? 'error' : check.unknown.length > 0 ? 'warning' : undefined}
        help={
          serverErrors.length > 0
            ? serverErrors.join('; ')
            : check.error
              ? t(`builder.formula.${check.error.code}`)
              : check.unknown.length > 0
                ? t('builder.formula.unknown', { names: check.unknown.join(', ') })
                : undefined
        }
      >
        <Input.TextArea
          ref={(r) => {
            ref.current = r?.resizableTextArea?.textArea ?? null;
          }}
          value={expr}
          onChange={(e) => set({ expression: e.target.value }, `expr:${f.key}`)}
          autoSize={{ minRows: 2, maxRows: 8 }}
          style={{ fontFamily: 'monospace' }}
          aria-label={t('builder.setting.expression')}
          data-testid="formula-expression"
        />
      </Form.Item>
      <Flex vertical gap={6} style={{ marginBottom: 16 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('builder.formula.fields')}
        </Typography.Text>
        <Flex wrap gap={4}>
          {others.map((x) => (
            <Tag key={x.key} style={{ cursor: 'pointer' }} onClick={() => insert(x.key)} title={text(x.label)}>
              {x.key}
            </Tag>
          ))}
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('builder.formula.functions')}
        </Typography.Text>
        <Flex wrap gap={4}>
          {FORMULA_FUNCTIONS.map((fn) => (
            <Tag key={fn} color="blue" style={{ cursor: 'pointer' }} onClick={() => insert(`${fn}()`)}>
              {fn}
            </Tag>
          ))}
        </Flex>
        <Button size="small" icon={<CheckCircleOutlined />} onClick={onServerCheck} loading={checking} data-testid="formula-check">
          {t('builder.formula.serverCheck')}
        </Button>
        <Alert type="info" showIcon message={t('builder.formula.previewPending')} style={{ fontSize: 12 }} />
      </Flex>
    </>
  );
}
