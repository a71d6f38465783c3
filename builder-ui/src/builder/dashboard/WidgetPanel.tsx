import { Form, Input, Select, Typography } from 'antd';
import type { Definition } from '../../api/types';
import type { DashboardSpec, Widget } from '../../dashboards/api';
import { chartTypeKeys } from '../../extensions/charts/registry';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import type { ReportSpec } from '../report/model';

interface Props {
  spec: DashboardSpec;
  widget: Widget;
  reports: Definition[];
  update: (patch: Partial<Widget>, group?: string) => void;
}

/**
 * A widget's title, report and chart, and where its report's parameters
 * come from: a global filter of the dashboard ($key), a fixed value, or
 * the report's own default.
 */
export function WidgetPanel({ spec, widget, reports, update }: Props) {
  const { t, text } = useI18n();
  const report = reports.find((r) => r.key === widget.report)?.spec as unknown as ReportSpec | undefined;
  const params = report?.parameters ?? [];
  const bind = (key: string, v: unknown) => {
    const next = { ...(widget.params ?? {}) };
    if (v === undefined || v === '') delete next[key];
    else next[key] = v;
    update({ params: Object.keys(next).length > 0 ? next : undefined });
  };
  return (
    <Form layout="vertical" size="small" component="div" data-testid="widget-panel">
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={widget.title} onChange={(title) => update({ title }, `wt:${widget.id}`)} label={t('builder.form.label')} testId="widget-title" />
      </Form.Item>
      <Form.Item label={t('builder.kind.report')}>
        <Select value={widget.report} onChange={(r: string) => update({ report: r, params: undefined })} options={reports.map((r) => ({ value: r.key, label: text(r.spec.title) || r.key }))} aria-label={t('builder.kind.report')} />
      </Form.Item>
      <Form.Item label={t('builder.report.chart')} extra={t('builder.dash.chartHelp')}>
        <Select allowClear value={widget.chart?.type} onChange={(type?: string) => update({ chart: type ? { type } : undefined })} options={chartTypeKeys().map((k) => ({ value: k, label: t(`builder.chart.${k.slice(6)}` as MessageKey) }))} virtual={false} aria-label={t('builder.report.chart')} />
      </Form.Item>
      {params.length > 0 && <Typography.Text strong>{t('builder.dash.params')}</Typography.Text>}
      {params.map((p) => {
        const v = widget.params?.[p.key];
        const bound = typeof v === 'string' && v.startsWith('$') ? v : v === undefined ? '' : 'const';
        return (
          <Form.Item key={p.key} label={text(p.label) || p.key}>
            <Select
              value={bound}
              onChange={(b: string) => bind(p.key, b === 'const' ? '' : b || undefined)}
              options={[
                { value: '', label: t('builder.dash.paramDefault') },
                ...(spec.filters ?? []).map((f) => ({ value: `$${f.key}`, label: t('builder.dash.paramFilter', { filter: text(f.label) || f.key }) })),
                { value: 'const', label: t('builder.dash.paramConst') },
              ]}
            />
            {bound === 'const' && <Input style={{ marginTop: 4 }} value={typeof v === 'string' ? v : JSON.stringify(v ?? '')} onChange={(e) => bind(p.key, e.target.value || undefined)} />}
          </Form.Item>
        );
      })}
    </Form>
  );
}
