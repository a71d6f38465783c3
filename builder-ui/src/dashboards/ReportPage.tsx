import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Result, Spin, Typography } from 'antd';
import { useMemo } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import type { LocalizedText } from '../api/types';
import { getPublished } from '../api/meta';
import { ChartView } from '../extensions/charts/ChartView';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import { useIsMobile } from '../layout/useIsMobile';
import { explain } from '../workflow/explain';
import { reportExportUrl, runReport, type DashboardData, type DashboardSpec } from './api';
import { ExportMenu } from './ExportMenu';
import { FilterBar } from './FilterBar';
import { filterParam, parseFilterParam, withValue } from './filters';
import { useDrill } from './useDrill';

/** The parts of a report definition the page reads. */
interface ReportDef {
  title: LocalizedText;
  description?: LocalizedText;
  parameters?: { key: string; type: 'dateRange' | 'value'; field: string; label?: LocalizedText; default?: unknown }[];
}

/** A report's parameters as a one-widget dashboard's filters, so the filter bar serves both. */
export function reportAsDashboard(key: string, def: ReportDef): DashboardSpec {
  return {
    title: def.title,
    filters: (def.parameters ?? []).map((p) => ({ key: p.key, type: p.type === 'dateRange' ? 'dateRange' : 'field', field: p.field, label: p.label, default: p.default })),
    widgets: [{ id: 'report', x: 0, y: 0, w: 24, h: 10, report: key }],
  };
}

/**
 * One report (/apps/:app/report/:key, a menu target): its parameters, its
 * chart, the rows as a table under a chart, exports and drill-down.
 */
export function ReportPage() {
  const { app = '', key = '' } = useParams();
  const { t, text, locale } = useI18n();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const paramsText = params.get('parameters');
  const values = useMemo(() => parseFilterParam(paramsText), [paramsText]);
  const def = useAsync(() => getPublished<ReportDef>(app, 'report', key), [app, key]);
  const run = useAsync(() => runReport(app, key, values), [app, key, values]);
  const drill = useDrill(app);
  const spec = useMemo(() => (def.data ? reportAsDashboard(key, def.data.spec) : undefined), [def.data, key]);
  const data: DashboardData | undefined = run.data && { dashboard: key, version: 0, title: '', refreshSeconds: 0, filters: {}, widgets: [{ id: 'report', report: key, title: '', result: run.data }] };

  if (def.loading && !def.data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (def.error || !spec || !def.data) {
    const m = errorMessage(def.error);
    return <Result status={m.key === 'error.notFound' ? '404' : 'warning'} title={t(m.key, m.params)} />;
  }
  const setValue = (k: string, v: unknown) => {
    const next = filterParam(withValue(values, k, v));
    const p = new URLSearchParams(params);
    if (next) p.set('parameters', next);
    else p.delete('parameters');
    setParams(p, { replace: true });
  };
  const result = run.data;
  const type = result?.chart?.type;
  return (
    <Flex vertical gap={16} data-testid="report">
      <Flex justify="space-between" align="flex-start" wrap gap={8}>
        <Flex vertical>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {text(def.data.spec.title) || key}
          </Typography.Title>
          {def.data.spec.description && <Typography.Text type="secondary">{text(def.data.spec.description)}</Typography.Text>}
        </Flex>
        <ExportMenu
          urls={{ xlsx: reportExportUrl(app, key, 'xlsx', values, locale), csv: reportExportUrl(app, key, 'csv', values, locale) }}
          labels={{ xlsx: 'dashboards.exportXlsx', csv: 'dashboards.exportCsv' }}
        >
          <Button icon={<DownloadOutlined />}>{t('dashboards.export')}</Button>
        </ExportMenu>
      </Flex>
      <FilterBar app={app} spec={spec} values={values} data={data} mobile={mobile} onChange={setValue} />
      {run.error !== undefined && <Result status="warning" title={explain(run.error, t)} extra={<Button onClick={run.reload}>{t('apps.retry')}</Button>} />}
      {result && (
        <Card size="small">
          <ChartView result={result} height={mobile ? 300 : 420} compact={mobile} onDrill={(cell) => void drill(key, result.parameters, cell)} />
        </Card>
      )}
      {result && type !== 'chart.table' && type !== 'chart.pivot' && (
        <Card size="small" title={t('dashboards.data')}>
          <ChartView result={result} chart={{ type: 'chart.table', option: {} }} height={mobile ? 360 : 480} compact={mobile} onDrill={(cell) => void drill(key, result.parameters, cell)} />
        </Card>
      )}
      {run.loading && !result && <Spin />}
    </Flex>
  );
}
