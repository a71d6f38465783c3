import { Form, Input, Select, Typography } from 'antd';
import type { FormItemProps } from 'antd';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import type { Designer } from '../lifecycle/useDesigner';
import { dimensionKey, updateDimension, type ReportSpec } from './model';
import { pairsDimension, updatePairs, type PairSource } from './shape';

interface Props {
  d: Designer<ReportSpec>;
  sources: PairSource[];
  /** The validation state of a spec path (the server's problems there). */
  status: (path: string) => Partial<FormItemProps>;
}

/**
 * The settings of a pairs dimension (品类组合): the sub-table and its text
 * column whose values are paired, and the names and labels of the pair's
 * two output columns.
 */
export function PairsPanel({ d, sources, status }: Props) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const at = pairsDimension(spec);
  if (!at?.dim.pairs) return null;
  const { index, dim } = at;
  const pairs = at.dim.pairs;
  const path = `dimensions[${index}]`;
  const src = sources.find((s) => s.subtable.key === pairs.subtable);
  const set = (patch: Parameters<typeof updatePairs>[1], coalesce?: string) => d.set(updatePairs(spec, patch, sources), coalesce);
  return (
    <Form layout="vertical" size="small" component="div" data-testid="pairs-panel">
      <Typography.Title level={5}>{t('builder.report.pairs')}</Typography.Title>
      <Form.Item label={t('builder.report.pairs.subtable')} {...status(`${path}.pairs.subtable`)}>
        <Select value={pairs.subtable} onChange={(subtable: string) => set({ subtable })} options={sources.map((s) => ({ value: s.subtable.key, label: text(s.subtable.label) || s.subtable.key }))} data-testid="pairs-subtable" />
      </Form.Item>
      <Form.Item label={t('builder.report.pairs.field')} {...status(`${path}.pairs.field`)}>
        <Select value={pairs.field} onChange={(field: string) => set({ field })} options={(src?.columns ?? []).map((c) => ({ value: c.key, label: text(c.label) || c.key }))} data-testid="pairs-field" />
      </Form.Item>
      <Form.Item label={t('builder.report.pairs.as')} extra={dimensionKey(dim)} {...status(`${path}.as`)}>
        <Input value={dim.as ?? ''} onChange={(e) => set({ as: e.target.value }, `pas:${index}`)} data-testid="pairs-as" />
      </Form.Item>
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={dim.label} onChange={(l) => d.set(updateDimension(spec, index, { label: l }), `dl:${index}`)} label={t('builder.form.label')} />
      </Form.Item>
      <Form.Item label={t('builder.report.pairs.with')} extra={pairs.with || `${pairs.field}B`} {...status(`${path}.pairs.with`)}>
        <Input value={pairs.with ?? ''} onChange={(e) => set({ with: e.target.value }, `pwith:${index}`)} data-testid="pairs-with" />
      </Form.Item>
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={pairs.withLabel} onChange={(l) => d.set(updateDimension(spec, index, { pairs: { ...pairs, withLabel: l } }), `pwl:${index}`)} label={t('builder.form.label')} />
      </Form.Item>
    </Form>
  );
}
