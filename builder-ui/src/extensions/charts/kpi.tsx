import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import { Flex, Typography, theme } from 'antd';
import type { NumberFormat } from '../../dashboards/api';
import type { Locale } from '../../i18n/locale';
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

/** A KPI's number: in full, or shortened (¥1.2亿, 12.3M) when the full text is too long for a card; the full one is its title. */
export function kpiText(it: Pick<KpiItem, 'value' | 'format'>, locale: Locale): string {
  const full = formatMeasure(it.value, it.format, locale);
  return full.length > 12 ? formatMeasure(it.value, it.format, locale, true) : full;
}

/**
 * Big numbers with their change against earlier periods; a click opens the
 * records behind them. The cards wrap to the widget's width, and each
 * number scales with its card (a CSS container), so a narrow widget shows
 * smaller digits rather than broken lines.
 */
function KpiCards({ input, onDrill }: ChartComponentProps) {
  const { t, locale } = useI18n();
  const { token } = theme.useToken();
  const items = kpiItems(input.option);
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(110px, 1fr))', gap: 12 }} data-testid="kpi-cards">
      {items.map((it, i) => (
        <Flex
          key={it.key}
          vertical
          gap={2}
          data-testid={`kpi-${it.key}`}
          onClick={onDrill ? () => onDrill({ cell: {}, measure: it.key }) : undefined}
          style={{ cursor: onDrill ? 'pointer' : undefined, minWidth: 0, containerType: 'inline-size' }}
        >
          <Typography.Text type="secondary" ellipsis>
            {it.label}
          </Typography.Text>
          <Typography.Text
            strong
            style={{ fontSize: i === 0 ? 'clamp(16px, 15cqi, 30px)' : 'clamp(15px, 13cqi, 24px)', lineHeight: 1.3, whiteSpace: 'nowrap' }}
            data-testid="kpi-value"
            title={kpiText(it, locale) === formatMeasure(it.value, it.format, locale) ? undefined : formatMeasure(it.value, it.format, locale)}
          >
            {kpiText(it, locale)}
          </Typography.Text>
          {it.compare.map((c) => {
            const up = (c.change ?? 0) > 0;
            const down = (c.change ?? 0) < 0;
            const color = up ? token.colorSuccess : down ? token.colorError : token.colorTextSecondary;
            return (
              <Typography.Text key={c.key} style={{ fontSize: 12, color, whiteSpace: 'nowrap' }}>
                {t(`charts.compare.${c.key}` as MessageKey)} {up ? <ArrowUpOutlined /> : down ? <ArrowDownOutlined /> : null}{' '}
                {c.change === null ? '—' : formatUnits(Math.abs(c.change), 'percent', locale)}
              </Typography.Text>
            );
          })}
        </Flex>
      ))}
    </div>
  );
}

/** chart.kpi: totals in big numbers. */
export const kpi: ChartRenderer = { key: 'chart.kpi', Component: KpiCards };
