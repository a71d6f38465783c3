import { Cascader, Input, Space } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../../i18n/useI18n';
import { areaNames, areaOptions, useAreas } from '../../records/areas';
import { OPS_EXISTS } from '../../records/stored';
import { Empty, isBlank, setting, usePlaceholder } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

interface Address {
  province?: string;
  city?: string;
  district?: string;
  detail?: string;
}

const LEVELS: Record<string, number> = { province: 1, city: 2, district: 3 };
const PARTS = ['province', 'city', 'district'] as const;

function asAddress(v: unknown): Address {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Address) : {};
}

function AddressField({ field, value, onChange, disabled, id, ctx }: InputProps) {
  const { t } = useI18n();
  const placeholder = usePlaceholder(field);
  const areas = useAreas();
  const depth = LEVELS[setting<string>(field, 'level', 'string') ?? 'district'] ?? 3;
  const detailMax = setting<number>(field, 'detailMaxLength', 'number') ?? 200;
  const options = useMemo(() => (areas ? areaOptions(areas, depth) : []), [areas, depth]);
  const addr = asAddress(value);
  const path = PARTS.slice(0, depth)
    .map((p) => addr[p])
    .filter((x): x is string => !!x);
  const set = (next: Address) => {
    const clean: Address = {};
    for (const [k, v] of Object.entries(next)) if (v) clean[k as keyof Address] = v;
    onChange(Object.keys(clean).length > 0 ? clean : null);
  };
  const nested = ctx.nestedErrors ?? {};
  return (
    <Space.Compact direction="vertical" style={{ width: '100%' }}>
      <Cascader
        id={id}
        options={options}
        value={path}
        loading={!areas}
        changeOnSelect
        showSearch
        disabled={disabled}
        placeholder={placeholder ?? t('field.addressPick')}
        onChange={(codes) => {
          const [province, city, district] = (codes ?? []) as string[];
          set({ province, city, district, detail: addr.detail });
        }}
        style={{ width: '100%' }}
      />
      {detailMax > 0 && (
        <Input
          value={addr.detail ?? ''}
          onChange={(e) => set({ ...addr, detail: e.target.value })}
          maxLength={detailMax}
          disabled={disabled}
          placeholder={t('field.addressDetail')}
          aria-label={t('field.addressDetail')}
        />
      )}
      {Object.entries(nested).map(([p, msgs]) => (
        <div key={p} className="tg-field-error">
          {msgs.join('; ')}
        </div>
      ))}
    </Space.Compact>
  );
}

function AddressDisplay({ value }: DisplayProps) {
  const areas = useAreas();
  if (isBlank(value)) return <Empty />;
  const a = asAddress(value);
  return <span>{[...areaNames(areas, a), a.detail ?? ''].filter(Boolean).join(' ')}</span>;
}

/** address: province, city and district codes (GB/T 2260) plus the street address. */
export const address: FieldTypeUI = {
  key: 'address',
  stored: () => ({
    kind: 'string',
    ops: OPS_EXISTS,
    sub: [
      { path: 'province', kind: 'string' },
      { path: 'city', kind: 'string' },
      { path: 'district', kind: 'string' },
      { path: 'detail', kind: 'string' },
    ],
  }),
  Input: AddressField,
  Display: AddressDisplay,
  toInput: (v) => {
    const a = asAddress(v);
    const out: Address = {};
    for (const k of ['province', 'city', 'district', 'detail'] as const) {
      const s = a[k]?.trim();
      if (s) out[k] = s;
    }
    return Object.keys(out).length > 0 ? out : null;
  },
  showsNestedErrors: true,
};
