import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import { Col, Flex, Row, Typography, theme } from 'antd';
import type { NumberFormat } from '../../dashboards/api';
import type { MessageKey } from '../../i18n/messages';
import { useI18n } from '../../i18n/useI18n';
import { formatMeasure, formatUnits, toNumber } from './format';
import { list, obj } from './shared';
import type { ChartComponentProps, ChartRenderer } from './types';

/** One KPI as the server describes it (engine/report chart_kpi.go). */
export interface KpiItem {
  key: string;
  label: string;
  format: NumberFormat;
  /** Raw: money in fen. */
  value: unknown;
  compare: { key: string; value: unknown; change: number | null }[];
}

/** The option's items, comparisons in a fixed order (previous period, then last year). */
export function kpiItems(option: Record<string, unknown>): KpiItem[] {
  return list(option.items).map((raw) => {
    const it = obj(raw);
    const cmp = obj(it.compare);
    return {
      key: String(it.key ?? ''),
      label: String(it.label ?? ''),
      format: (it.format as NumberFormat) || 'number',
      value: it.value ?? null,
      compare: Object.keys(cmp)
        .sort((a, b) => (a === 'previousPeriod' ? -1 : b === 'previousPeriod' ? 1 : a.localeCompare(b)))
        .map((k) => ({ key: k, value: obj(cmp[k]).value ?? null, change: toNumber(obj(cmp[k]).change) })),
    };
  });
}

/** Big numbers with their change against earlier periods; a click opens the records behind them. */
function KpiCards({ input, onDrill }: ChartComponentProps) {
  const { t, locale } = useI18n();
  const { token } = theme.useToken();
  const items = kpiItems(input.option);
  const span = input.compact ? 12 : Math.max(6, Math.floor(24 / Math.max(1, items.length)));
  return (
    <Row gutter={[12, 12]} data-testid="kpi-cards">
      {items.map((it, i) => (
        <Col key={it.key} span={span}>
          <Flex
            vertical
            gap={2}
            data-testid={`kpi-${it.key}`}
            onClick={onDrill ? () => onDrill({ cell: {} }) : undefined}
            style={{ cursor: onDrill ? 'pointer' : undefined, minWidth: 0 }}
          >
            <Typography.Text type="secondary" ellipsis>
              {it.label}
            </Typography.Text>
            <Typography.Text strong style={{ fontSize: i === 0 && !input.compact ? 28 : 22, lineHeight: 1.3 }} data-testid="kpi-value">
              {formatMeasure(it.value, it.format, locale, input.compact)}
            </Typography.Text>
            {it.compare.map((c) => {
              const up = (c.change ?? 0) > 0;
              const down = (c.change ?? 0) < 0;
              const color = up ? token.colorSuccess : down ? token.colorError : token.colorTextSecondary;
              return (
                <Typography.Text key={c.key} style={{ fontSize: 12, color }}>
                  {t(`charts.compare.${c.key}` as MessageKey)} {up ? <ArrowUpOutlined /> : down ? <ArrowDownOutlined /> : null}{' '}
                  {c.change === null ? '—' : formatUnits(Math.abs(c.change), 'percent', locale)}
                </Typography.Text>
              );
            })}
          </Flex>
        </Col>
      ))}
    </Row>
  );
}

/** chart.kpi: totals in big numbers. */
export const kpi: ChartRenderer = { key: 'chart.kpi', Component: KpiCards };
