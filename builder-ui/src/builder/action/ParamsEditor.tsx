import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Flex, Input, InputNumber, Select, Typography, theme } from 'antd';
import { boundKeys, newParam, PARAM_TYPES, retype, type Param, type ParamType } from './model';
import { useActionText, type ActionMessage } from './messages';

interface Props {
  params: Param[];
  onChange: (params: Param[], group?: string) => void;
  /** Problems per parameter index, already translated. */
  problems: Map<number, string[]>;
  onBlur: () => void;
}

/** What a kept schema is made of, for its hint: "$ref memberRef", "string | null". */
function described(p: Param): string {
  if (typeof p.rest.$ref === 'string') return p.rest.$ref.split('/').pop() ?? p.rest.$ref;
  if (Array.isArray(p.rest.type)) return p.rest.type.join(' | ');
  return Object.keys(p.rest).join(', ') || '{}';
}

/**
 * The input parameters as a list of typed fields: name, type, required,
 * description, bounds and pattern by type. Whatever else a property's
 * schema says (items, enum, $ref...) is kept by the model untouched.
 */
export function ParamsEditor({ params, onChange, problems, onBlur }: Props) {
  const a = useActionText();
  const { token } = theme.useToken();
  const set = (i: number, p: Param, group?: string) => onChange(params.map((x, j) => (j === i ? p : x)), group);
  const move = (i: number, by: number) => {
    const next = [...params];
    const [p] = next.splice(i, 1);
    next.splice(i + by, 0, p!);
    onChange(next);
  };
  const num = (v: number | null) => (v === null ? undefined : v);
  return (
    <Flex vertical gap={8} data-testid="action-params">
      <Typography.Text type="secondary">{a('paramsHint')}</Typography.Text>
      {params.map((p, i) => {
        const keys = boundKeys(p.type);
        const probs = problems.get(i) ?? [];
        return (
          <div key={i} data-testid={`param-${i}`} style={{ border: `1px solid ${probs.length ? token.colorError : token.colorBorderSecondary}`, borderRadius: token.borderRadius, padding: 8 }}>
            <Flex gap={8} wrap align="center">
              <Input
                value={p.name}
                onChange={(e) => set(i, { ...p, name: e.target.value.trim() }, `param:${i}:name`)}
                onBlur={onBlur}
                placeholder={a('name')}
                aria-label={a('name')}
                status={probs.length ? 'error' : undefined}
                style={{ width: 150, fontFamily: token.fontFamilyCode }}
                data-testid={`param-name-${i}`}
              />
              <Select<ParamType>
                value={p.type}
                onChange={(type) => set(i, retype(p, type))}
                options={[...PARAM_TYPES, ...(p.type === '' ? ([''] as const) : [])].map((ty) => ({ value: ty, label: a(`type.${ty}` as ActionMessage) }))}
                aria-label={a('type')}
                style={{ width: 130 }}
                data-testid={`param-type-${i}`}
              />
              <Checkbox checked={p.required} onChange={(e) => set(i, { ...p, required: e.target.checked })} data-testid={`param-required-${i}`}>
                {a('required')}
              </Checkbox>
              <Flex gap={2} style={{ marginLeft: 'auto' }}>
                <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={a('moveUp')} />
                <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === params.length - 1} onClick={() => move(i, 1)} aria-label={a('moveDown')} />
                <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => onChange(params.filter((_, j) => j !== i))} aria-label={a('remove')} data-testid={`param-remove-${i}`} />
              </Flex>
            </Flex>
            <Flex gap={8} wrap style={{ marginTop: 8 }}>
              <Input
                value={p.description}
                onChange={(e) => set(i, { ...p, description: e.target.value }, `param:${i}:description`)}
                onBlur={onBlur}
                placeholder={a('paramDescription')}
                aria-label={a('paramDescription')}
                style={{ flex: '1 1 200px', minWidth: 0 }}
              />
              {keys && (
                <>
                  <InputNumber value={p.min ?? null} onChange={(v) => set(i, { ...p, min: num(v) }, `param:${i}:min`)} placeholder={a(keys[0] === 'minimum' ? 'min' : (keys[0] as ActionMessage))} aria-label={a(keys[0] === 'minimum' ? 'min' : (keys[0] as ActionMessage))} precision={p.type === 'number' ? undefined : 0} style={{ width: 110 }} />
                  <InputNumber value={p.max ?? null} onChange={(v) => set(i, { ...p, max: num(v) }, `param:${i}:max`)} placeholder={a(keys[1] === 'maximum' ? 'max' : (keys[1] as ActionMessage))} aria-label={a(keys[1] === 'maximum' ? 'max' : (keys[1] as ActionMessage))} precision={p.type === 'number' ? undefined : 0} style={{ width: 110 }} />
                </>
              )}
              {p.type === 'string' && (
                <Input
                  value={p.pattern ?? ''}
                  onChange={(e) => set(i, { ...p, pattern: e.target.value || undefined }, `param:${i}:pattern`)}
                  onBlur={onBlur}
                  placeholder={a('pattern')}
                  aria-label={a('pattern')}
                  style={{ flex: '1 1 160px', minWidth: 0, fontFamily: token.fontFamilyCode }}
                />
              )}
            </Flex>
            {p.type === '' && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{a('customHint', { what: described(p) })}</Typography.Text>}
            {(p.type === 'object' || p.type === 'array') && Object.keys(p.rest).length > 0 && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {Object.keys(p.rest).join(', ')}: {a('nestedHint')}
              </Typography.Text>
            )}
            {probs.map((m, j) => (
              <Typography.Text key={j} type="danger" style={{ display: 'block', fontSize: 12 }}>
                {m}
              </Typography.Text>
            ))}
          </div>
        );
      })}
      <Button icon={<PlusOutlined />} onClick={() => onChange([...params, newParam(params)])} style={{ alignSelf: 'flex-start' }} data-testid="param-add">
        {a('addParam')}
      </Button>
    </Flex>
  );
}
