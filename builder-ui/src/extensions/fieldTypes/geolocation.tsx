import { AimOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';
import { useState } from 'react';
import { useI18n } from '../../i18n/useI18n';
import { OPS_EXISTS } from '../../records/stored';
import { Empty, isBlank } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

interface Point {
  lat?: string;
  lng?: string;
  accuracy?: string;
}

function asPoint(v: unknown): Point {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const o = v as Record<string, unknown>;
  const s = (x: unknown) => (x === undefined || x === null ? undefined : String(x));
  const p: Point = {};
  const lat = s(o.lat);
  const lng = s(o.lng);
  const acc = s(o.accuracy);
  if (lat !== undefined) p.lat = lat;
  if (lng !== undefined) p.lng = lng;
  if (acc !== undefined) p.accuracy = acc;
  return p;
}

/**
 * Latitude and longitude as text (the server rounds them to 7 decimals),
 * typed or taken from the device. Browsers give WGS-84; a field in another
 * datum (GCJ-02 for Chinese maps) is converted by whoever reads it.
 */
function GeolocationField({ value, onChange, disabled, id, ctx }: InputProps) {
  const { t } = useI18n();
  const [locating, setLocating] = useState(false);
  const p = asPoint(value);
  const set = (next: Point) => onChange(next.lat || next.lng ? next : null);
  const locate = () => {
    if (!navigator.geolocation) return;
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        set({ lat: pos.coords.latitude.toFixed(7), lng: pos.coords.longitude.toFixed(7), accuracy: String(Math.round(pos.coords.accuracy)) });
      },
      () => setLocating(false),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  };
  return (
    <>
      <Space.Compact style={{ width: '100%' }}>
        <Input id={id} value={p.lat ?? ''} onChange={(e) => set({ ...p, lat: e.target.value })} placeholder={t('field.lat')} aria-label={t('field.lat')} inputMode="decimal" disabled={disabled} />
        <Input value={p.lng ?? ''} onChange={(e) => set({ ...p, lng: e.target.value })} placeholder={t('field.lng')} aria-label={t('field.lng')} inputMode="decimal" disabled={disabled} />
        <Button icon={<AimOutlined />} onClick={locate} loading={locating} disabled={disabled} title={t('field.locate')} />
      </Space.Compact>
      {Object.entries(ctx.nestedErrors ?? {}).map(([k, msgs]) => (
        <div key={k} className="tg-field-error">
          {msgs.join('; ')}
        </div>
      ))}
    </>
  );
}

function GeolocationDisplay({ value }: DisplayProps) {
  if (isBlank(value)) return <Empty />;
  const p = asPoint(value);
  return (
    <span>
      {p.lat}, {p.lng}
    </span>
  );
}

/** geolocation: a point {lat, lng, accuracy}. */
export const geolocation: FieldTypeUI = {
  key: 'geolocation',
  stored: () => ({
    kind: 'string',
    ops: OPS_EXISTS,
    sub: [
      { path: 'lat', kind: 'decimal' },
      { path: 'lng', kind: 'decimal' },
    ],
  }),
  Input: GeolocationField,
  Display: GeolocationDisplay,
  toForm: (v) => (isBlank(v) ? v : asPoint(v)),
  toInput: (v) => {
    const p = asPoint(v);
    if (!p.lat && !p.lng) return null;
    const out: Record<string, string> = {};
    if (p.lat) out.lat = p.lat.trim();
    if (p.lng) out.lng = p.lng.trim();
    if (p.accuracy) out.accuracy = p.accuracy;
    return out;
  },
  showsNestedErrors: true,
};
