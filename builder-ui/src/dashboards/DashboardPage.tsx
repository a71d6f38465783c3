import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Flex, Result, Select, Space, Spin, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { formatDateTime } from '../format/date';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import { useIsMobile } from '../layout/useIsMobile';
import { explain } from '../workflow/explain';
import { dashboardData, dashboardExportUrl, getDashboard, widgetExportUrl, type DashboardData, type DrillCell, type WidgetData } from './api';
import { DashboardGrid } from './DashboardGrid';
import { ExportMenu } from './ExportMenu';
import { FilterBar } from './FilterBar';
import { filterParam, parseFilterParam, withValue } from './filters';
import { widgetKey } from './grid';
import { useAutoRefresh } from './useAutoRefresh';
import { useDrill } from './useDrill';

/** Auto-refresh choices, in seconds (0: off). */
const INTERVALS = [0, 30, 60, 300, 900];

/**
 * A dashboard (/apps/:app/dashboard/:key): its global filters (kept in the
 * address), its widgets on the grid drawn by their chart types, auto
 * refresh, exports, and drill-down from a cell to the records list.
 */
export function DashboardPage() {
  const { app = '', key = '' } = useParams();
  const { t, text, locale } = useI18n();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const filtersText = params.get('filters');
  const values = useMemo(() => parseFilterParam(filtersText), [filtersText]);
  const def = useAsync(() => getDashboard(app, key), [app, key]);
  const [data, setData] = useState<DashboardData>();
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [updated, setUpdated] = useState<Date>();
  const [interval, setIntervalSeconds] = useState<number>();
  const ctl = useRef<AbortController | undefined>(undefined);

  const load = useCallback(async () => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setLoading(true);
    try {
      const d = await dashboardData(app, key, values, undefined, c.signal);
      setData(d);
      setFailure(undefined);
      setUpdated(new Date());
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setFailure(err);
    } finally {
      if (ctl.current === c) setLoading(false);
    }
  }, [app, key, values]);

  useEffect(() => {
    void load();
    return () => ctl.current?.abort();
  }, [load]);

  const spec = def.data?.spec;
  const every = interval ?? spec?.refreshSeconds ?? 0;
  useAutoRefresh(load, every);

  const byKey = useMemo(() => {
    const m = new Map<string, WidgetData>();
    spec?.widgets.forEach((w, i) => {
      // Results come in the widgets' order; ids name them when set.
      const d = data?.widgets.find((x) => w.id && x.id === w.id) ?? data?.widgets[i];
      if (d) m.set(widgetKey(w, i), d);
    });
    return m;
  }, [spec, data]);

  const setFilter = (k: string, v: unknown) => {
    const next = filterParam(withValue(values, k, v));
    const p = new URLSearchParams(params);
    if (next) p.set('filters', next);
    else p.delete('filters');
    setParams(p, { replace: true });
  };

  const drill = useDrill(app);

  if (def.loading && !def.data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (def.error || !spec) {
    const m = errorMessage(def.error);
    return <Result status={m.key === 'error.notFound' ? '404' : m.key === 'error.forbidden' ? '403' : 'warning'} title={t(m.key, m.params)} extra={<Button onClick={def.reload}>{t('apps.retry')}</Button>} />;
  }

  return (
    <Flex vertical gap={16} data-testid="dashboard">
      <Flex justify="space-between" align="flex-start" gap={8} wrap>
        <Flex vertical style={{ minWidth: 0 }}>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="dashboard-title">
            {text(spec.title) || key}
          </Typography.Title>
          {spec.description && <Typography.Text type="secondary">{text(spec.description)}</Typography.Text>}
        </Flex>
        <Space wrap>
          {updated && !mobile && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('dashboards.updated', { when: formatDateTime(updated, locale) })}
            </Typography.Text>
          )}
          <Tooltip title={t('dashboards.refresh')}>
            <Button icon={<ReloadOutlined spin={loading} />} onClick={() => void load()} aria-label={t('dashboards.refresh')} data-testid="dashboard-refresh" />
          </Tooltip>
          <Select<number>
            value={every}
            onChange={setIntervalSeconds}
            aria-label={t('dashboards.autoRefresh')}
            data-testid="auto-refresh"
            style={{ minWidth: 110 }}
            options={[...new Set([...INTERVALS, spec.refreshSeconds ?? 0])].sort((a, b) => a - b).map((s) => ({ value: s, label: intervalLabel(s, t) }))}
          />
          <ExportMenu
            urls={{ xlsx: dashboardExportUrl(app, key, 'xlsx', values, locale), csv: dashboardExportUrl(app, key, 'csv', values, locale) }}
            labels={{ xlsx: 'dashboards.exportAllXlsx', csv: 'dashboards.exportAllCsv' }}
          >
            <Button icon={<DownloadOutlined />} aria-label={t('dashboards.export')} data-testid="dashboard-export">
              {!mobile && t('dashboards.export')}
            </Button>
          </ExportMenu>
        </Space>
      </Flex>
      <FilterBar app={app} spec={spec} values={values} data={data} mobile={mobile} onChange={setFilter} />
      {failure !== undefined && (
        <Result status="warning" title={explain(failure, t)} extra={<Button onClick={() => void load()}>{t('apps.retry')}</Button>} />
      )}
      <DashboardGrid
        widgets={spec.widgets}
        data={byKey}
        mobile={mobile}
        exportsOf={(w) =>
          w.id
            ? { csv: widgetExportUrl(app, key, w.id, 'csv', values, locale), xlsx: widgetExportUrl(app, key, w.id, 'xlsx', values, locale) }
            : undefined
        }
        onDrill={(w: WidgetData, cell: DrillCell) => void drill(w.report, w.result?.parameters, cell)}
      />
    </Flex>
  );
}

/** "Off", "30 s", "5 min". */
function intervalLabel(s: number, t: ReturnType<typeof useI18n>['t']): string {
  if (s === 0) return t('dashboards.refreshOff');
  if (s < 60) return t('dashboards.everySeconds', { n: s });
  return t('dashboards.everyMinutes', { n: Math.round(s / 6) / 10 });
}
