import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, DatePicker, Flex, Input, Segmented, Select, theme } from 'antd';
import dayjs from 'dayjs';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { newId, type BuilderOp, type Condition, type FilterField, type Group } from './model';
import { arityOf, operatorsFor } from './operators';

interface Props {
  app: string;
  form: string;
  value: Group;
  onChange: (g: Group) => void;
  fields: FilterField[];
  /** Conditions left out of the filter (no usable value). */
  incomplete?: readonly string[];
}

/** The label of an operator. */
export function opLabel(t: (k: MessageKey) => string, op: BuilderOp): string {
  return t(`filter.op.${op}` as MessageKey);
}

function ValueEditor({ field, op, value, onChange, app, form, warn }: { field: FilterField; op: BuilderOp; value: unknown; onChange: (v: unknown) => void; app: string; form: string; warn: boolean }) {
  const { t, text } = useI18n();
  const arity = arityOf(op);
  if (arity === 'none') return null;
  const status = warn ? ('warning' as const) : undefined;
  if (arity === 'pair') {
    const [a, b] = Array.isArray(value) ? value : [];
    return (
      <Flex gap={4} align="center" style={{ flex: '1 1 220px' }}>
        <ValueEditor field={field} op="eq" value={a} onChange={(v) => onChange([v, b])} app={app} form={form} warn={warn} />
        <span>~</span>
        <ValueEditor field={field} op="eq" value={b} onChange={(v) => onChange([a, v])} app={app} form={form} warn={warn} />
      </Flex>
    );
  }
  const list = arity === 'list';
  const style = { flex: '1 1 160px', minWidth: 120 };
  switch (field.valueType) {
    case 'option':
      return (
        <Select
          mode={list ? 'multiple' : undefined}
          value={value as string | string[] | undefined}
          onChange={onChange}
          options={(field.options ?? []).map((o) => ({ value: o.value, label: text(o.label) }))}
          placeholder={t('filter.value')}
          status={status}
          style={style}
          aria-label={t('filter.value')}
        />
      );
    case 'id':
      if (field.def) {
        const ui = fieldTypeUI(field.def.type);
        if (ui.Input) {
          const def = { ...field.def, multiple: list };
          return (
            <div style={style}>
              <ui.Input field={def} value={value} onChange={onChange} ctx={{ app, form }} />
            </div>
          );
        }
      }
      break;
    case 'date':
    case 'time':
      return (
        <DatePicker
          value={typeof value === 'string' && value ? dayjs(value) : null}
          onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : undefined)}
          status={status}
          style={style}
          inputReadOnly
          aria-label={t('filter.value')}
        />
      );
  }
  if (list) {
    return <Select mode="tags" value={Array.isArray(value) ? value : []} onChange={onChange} placeholder={t('filter.value')} status={status} style={style} open={false} aria-label={t('filter.value')} />;
  }
  const numeric = field.valueType === 'int' || field.valueType === 'decimal' || field.valueType === 'money';
  return (
    <Input
      value={typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)}
      onChange={(e) => onChange(e.target.value)}
      prefix={field.valueType === 'money' ? '¥' : undefined}
      inputMode={numeric ? 'decimal' : undefined}
      placeholder={t('filter.value')}
      status={status}
      style={style}
      aria-label={t('filter.value')}
    />
  );
}

function ConditionRow({ c, onChange, onRemove, fields, app, form, warn }: { c: Condition; onChange: (c: Condition) => void; onRemove: () => void; fields: FilterField[]; app: string; form: string; warn: boolean }) {
  const { t, text } = useI18n();
  const field = fields.find((f) => f.path === c.field);
  const ops = field ? operatorsFor(field) : [];
  const fieldLabel = (f: FilterField) => {
    const sub = f.path.includes('.') ? ` · ${t(`filter.sub.${f.path.split('.').pop()}` as MessageKey)}` : '';
    return text(f.label) + sub;
  };
  return (
    <Flex gap={4} wrap align="center" data-testid="filter-condition">
      <Select
        value={c.field || undefined}
        onChange={(path: string) => {
          const f = fields.find((x) => x.path === path);
          onChange({ ...c, field: path, op: f ? (operatorsFor(f)[0] ?? 'eq') : 'eq', value: undefined });
        }}
        options={fields.map((f) => ({ value: f.path, label: fieldLabel(f) }))}
        placeholder={t('filter.field')}
        showSearch
        optionFilterProp="label"
        style={{ flex: '1 1 140px', minWidth: 120 }}
        aria-label={t('filter.field')}
      />
      <Select
        value={field ? c.op : undefined}
        onChange={(op: BuilderOp) => onChange({ ...c, op, value: arityOf(op) === arityOf(c.op) ? c.value : undefined })}
        options={ops.map((op) => ({ value: op, label: opLabel(t, op) }))}
        disabled={!field}
        style={{ flex: '0 1 130px', minWidth: 110 }}
        aria-label={t('filter.operator')}
      />
      {field && <ValueEditor field={field} op={c.op} value={c.value} onChange={(value) => onChange({ ...c, value })} app={app} form={form} warn={warn} />}
      <Button type="text" icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('filter.remove')} />
    </Flex>
  );
}

/**
 * Conditions in AND/OR groups: a field, then only the operators its type
 * allows on the server, then a value editor of the field's kind (money in
 * yuan, days from a calendar, options from the field). Groups nest.
 */
export function FilterBuilder({ app, form, value, onChange, fields, incomplete = [], depth = 0, onRemove }: Props & { depth?: number; onRemove?: () => void }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const setItem = (i: number, it: Condition | Group) => onChange({ ...value, items: value.items.map((x, j) => (j === i ? it : x)) });
  const remove = (i: number) => onChange({ ...value, items: value.items.filter((_x, j) => j !== i) });
  const addCondition = () => onChange({ ...value, items: [...value.items, { type: 'condition', id: newId(), field: '', op: 'eq' }] });
  const addGroup = () => onChange({ ...value, items: [...value.items, { type: 'group', id: newId(), conj: value.conj === 'and' ? 'or' : 'and', items: [{ type: 'condition', id: newId(), field: '', op: 'eq' }] }] });
  return (
    <Flex
      vertical
      gap={8}
      style={depth > 0 ? { borderInlineStart: `3px solid ${token.colorPrimaryBorder}`, paddingInlineStart: 8 } : undefined}
      data-testid={depth === 0 ? 'filter-builder' : 'filter-group'}
    >
      <Flex gap={8} align="center" wrap>
        <span>{t('filter.match')}</span>
        <Segmented
          size="small"
          value={value.conj}
          onChange={(conj) => onChange({ ...value, conj: conj as Group['conj'] })}
          options={[
            { value: 'and', label: t('filter.and') },
            { value: 'or', label: t('filter.or') },
          ]}
        />
        {onRemove && <Button size="small" type="text" icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('filter.removeGroup')} />}
      </Flex>
      {value.items.map((it, i) =>
        it.type === 'group' ? (
          <FilterBuilder key={it.id} app={app} form={form} value={it} onChange={(g) => setItem(i, g)} fields={fields} incomplete={incomplete} depth={depth + 1} onRemove={() => remove(i)} />
        ) : (
          <ConditionRow key={it.id} c={it} onChange={(c) => setItem(i, c)} onRemove={() => remove(i)} fields={fields} app={app} form={form} warn={incomplete.includes(it.id) && it.field !== ''} />
        ),
      )}
      <Flex gap={8} wrap>
        <Button size="small" icon={<PlusOutlined />} onClick={addCondition}>
          {t('filter.addCondition')}
        </Button>
        {depth < 3 && (
          <Button size="small" icon={<PlusOutlined />} onClick={addGroup}>
            {t('filter.addGroup')}
          </Button>
        )}
      </Flex>
    </Flex>
  );
}
