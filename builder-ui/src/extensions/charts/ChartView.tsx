import { useMemo } from 'react';
import type { ChartSpec, DrillCell, ReportResult } from '../../dashboards/api';
import { useI18n } from '../../i18n/useI18n';
import { EChart } from './EChart';
import { chartRenderer } from './registry';
import { canDrill, visibleColumns } from './resultKind';
import type { ChartInput } from './types';

interface Props {
  result: ReportResult;
  /** The chart to draw; the result's own by default. */
  chart?: ChartSpec;
  /** Pixels for ECharts charts; tables and pivots scroll within it. */
  height: number;
  compact?: boolean;
  onDrill?: (cell: DrillCell) => void;
}

/** The columns of a table of every column, for results that come without a chart. */
function tableOf(r: ReportResult): ChartSpec {
  return { type: 'chart.table', option: { columns: visibleColumns(r.columns).map((c) => ({ key: c.key, title: c.label })) } };
}

/**
 * A result drawn by its chart type's renderer (registry.ts): ECharts for
 * the charts, a component for KPI cards, tables and pivots. A click on a
 * cell goes to onDrill, except in a pairs result (the server refuses to
 * drill into a pair, so nothing offers it).
 */
export function ChartView({ result, chart, height, compact = false, onDrill: drillTo }: Props) {
  const onDrill = canDrill(result) ? drillTo : undefined;
  const { locale } = useI18n();
  const spec = chart ?? result.chart ?? tableOf(result);
  const renderer = chartRenderer(spec.type);
  // A type the UI has no renderer for shows its data as a table.
  const option = renderer.key === spec.type ? spec.option : tableOf(result).option;
  const input: ChartInput = useMemo(() => ({ result, option, locale, compact }), [result, option, locale, compact]);
  const ec = renderer.echarts;
  const echartsOption = useMemo(() => ec?.option(input), [ec, input]);
  if (ec && echartsOption) {
    const drill = ec.drill;
    return (
      <EChart
        option={echartsOption}
        height={height}
        onClick={
          onDrill && drill
            ? (e) => {
                const cell = drill(input, e);
                if (cell) onDrill(cell);
              }
            : undefined
        }
      />
    );
  }
  const Component = renderer.Component;
  return Component ? <Component input={input} onDrill={onDrill} height={height} /> : null;
}
