import { EllipsisOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Skeleton, Tag, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { ChartView } from '../extensions/charts/ChartView';
import { useI18n } from '../i18n/useI18n';
import type { DrillCell, ExportFormat, Widget, WidgetData } from './api';
import { ExportMenu } from './ExportMenu';

interface Props {
  widget: Widget;
  data: WidgetData | undefined;
  /** Height of the chart area; undefined: as tall as its content (KPI cards on a phone). */
  chartHeight: number | undefined;
  compact: boolean;
  /** Export addresses by format, when the widget can be exported. */
  exports?: Record<ExportFormat, string>;
  onDrill?: (data: WidgetData, cell: DrillCell) => void;
  /** The card fills its grid cell. */
  fill?: boolean;
}

/** One widget: its title, an export menu, and its result drawn by its chart type (or why it has none). */
export function WidgetCard({ widget, data, chartHeight, compact, exports, onDrill, fill }: Props) {
  const { t, text } = useI18n();
  const title = text(widget.title) || data?.title || widget.report;
  let body: ReactNode;
  if (!data) body = <Skeleton active paragraph={{ rows: 3 }} />;
  else if (data.error) body = <Alert type="warning" showIcon message={data.error.message} description={data.error.errors?.map((e) => `${e.path}: ${e.message}`).join('; ')} data-testid="widget-error" />;
  else if (data.result)
    body = (
      <ChartView
        result={data.result}
        height={chartHeight ?? 0}
        compact={compact}
        onDrill={onDrill ? (cell) => onDrill(data, cell) : undefined}
      />
    );
  const extra = (
    <>
      {data?.result?.truncated && (
        <Tooltip title={t('dashboards.truncatedTip')}>
          <Tag color="warning">{t('dashboards.truncated')}</Tag>
        </Tooltip>
      )}
      {exports && (
        <ExportMenu urls={exports} labels={{ xlsx: 'dashboards.exportXlsx', csv: 'dashboards.exportCsv' }}>
          <Button type="text" size="small" icon={<EllipsisOutlined />} aria-label={t('dashboards.widgetMenu')} data-testid="widget-menu" />
        </ExportMenu>
      )}
    </>
  );
  return (
    <Card
      size="small"
      title={title}
      extra={extra}
      data-testid={`widget-${widget.id ?? widget.report}`}
      style={fill ? { height: '100%', display: 'flex', flexDirection: 'column' } : undefined}
      styles={{ body: { padding: 8, overflow: 'hidden', flex: fill ? 1 : undefined, minHeight: 0 } }}
    >
      {body}
    </Card>
  );
}
