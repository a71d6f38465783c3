import { ArrowLeftOutlined, ArrowRightOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Flex, Form, Input, Select, Space, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { FIELD_KEY } from '../form/model';
import { COLUMN_TYPES, outputText, parseOutput, type Column, type Side } from './table';

interface Props {
  side: Side;
  column: Column;
  index: number;
  count: number;
  /** Keys used by other columns. */
  taken: ReadonlySet<string>;
  onChange: (patch: Partial<Column>, group?: string) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}

/** A column's key, label, type, allowed values, and (inputs) required or (outputs) default. */
export function ColumnEditor({ side, column, index, count, taken, onChange, onMove, onRemove }: Props) {
  const { t } = useI18n();
  const [key, setKey] = useState(column.key);
  useEffect(() => setKey(column.key), [column.key]);
  const badKey = !FIELD_KEY.test(key) || (key !== column.key && taken.has(key));
  const scalarOptions = column.type === 'string' || column.type === 'list';
  return (
    <Form layout="vertical" size="small" component="div" style={{ width: 300 }} data-testid={`column-editor-${column.key}`}>
      <Form.Item label={t('builder.form.key')} validateStatus={badKey ? 'error' : undefined} help={badKey ? t('builder.form.keyRule') : undefined}>
        <Input value={key} onChange={(e) => setKey(e.target.value)} onBlur={() => !badKey && key !== column.key && onChange({ key })} onPressEnter={() => !badKey && key !== column.key && onChange({ key })} aria-label={t('builder.form.key')} />
      </Form.Item>
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={column.label} onChange={(label) => onChange({ label }, `col-label:${column.key}`)} label={t('builder.form.label')} />
      </Form.Item>
      <Form.Item label={t('builder.form.type')}>
        <Select value={column.type} onChange={(type) => onChange(side === 'outputs' ? { type, default: undefined, options: undefined } : { type, options: undefined })} options={COLUMN_TYPES.map((c) => ({ value: c, label: t(`builder.rule.type.${c}` as MessageKey) }))} aria-label={t('builder.form.type')} />
      </Form.Item>
      {scalarOptions && (
        <Form.Item label={t('builder.rule.options')} extra={t('builder.rule.optionsHelp')}>
          <Select mode="tags" value={column.options ?? []} onChange={(o: string[]) => onChange({ options: o.length > 0 ? o : undefined })} open={false} aria-label={t('builder.rule.options')} />
        </Form.Item>
      )}
      {side === 'inputs' ? (
        <Form.Item label={t('builder.form.required')}>
          <Switch checked={column.required === true} onChange={(r) => onChange({ required: r || undefined })} />
        </Form.Item>
      ) : (
        <Form.Item label={t('builder.rule.default')} extra={t('builder.rule.defaultHelp')}>
          <Input value={outputText(column.default)} onChange={(e) => onChange({ default: parseOutput(column.type, e.target.value) ?? (column.type === 'string' ? '' : undefined) }, `col-default:${column.key}`)} aria-label={t('builder.rule.default')} />
        </Form.Item>
      )}
      <Flex justify="space-between">
        <Space>
          <Button size="small" icon={<ArrowLeftOutlined />} disabled={index === 0} onClick={() => onMove(index - 1)} aria-label={t('builder.rule.moveLeft')} />
          <Button size="small" icon={<ArrowRightOutlined />} disabled={index === count - 1} onClick={() => onMove(index + 1)} aria-label={t('builder.rule.moveRight')} />
        </Space>
        <Button size="small" danger icon={<DeleteOutlined />} disabled={count <= 1} onClick={onRemove}>
          {t('builder.remove')}
        </Button>
      </Flex>
    </Form>
  );
}
