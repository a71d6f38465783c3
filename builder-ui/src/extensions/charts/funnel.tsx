import type { EChartsOption } from 'echarts';
import type { DrillCell } from '../../dashboards/api';
import { formatUnits, toNumber } from './format';
import { dimensionColumns, drillable, list, measureColumns, obj, seriesMeasure, withMeasure } from './shared';
import type { ChartClick, ChartInput, ChartRenderer } from './types';

/**
 * Stages narrowing down (engine/report chart_funnel.go): without a
 * dimension each measure is a stage (coupons issued, used), with one the
 * dimension's values are. Values formatted per measure, names and values
 * on the stages.
 */
export function funnelOption(input: ChartInput): EChartsOption {
  const { option: o, result: r, locale, compact } = input;
  const s = obj(list(o.series)[0]);
  const dims = dimensionColumns(r);
  const ms = measureColumns(r);
  const data = list(s.data).map((d) => ({ name: String(obj(d).name ?? ''), value: toNumber(obj(d).value) }));
  // With a dimension every stage is the first measure; without, stage i is measure i.
  const formatAt = (i: number) => (dims.length > 0 ? ms[0]?.format : (ms.find((m) => m.label === data[i]?.name) ?? ms[i])?.format);
  return {
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const it = p as { marker?: string; name?: string; value?: unknown; dataIndex?: number };
        return `${it.marker ?? ''}${it.name ?? ''}: ${formatUnits(it.value, formatAt(it.dataIndex ?? 0), locale)}`;
      },
    },
    series: [
      {
        type: 'funnel',
        sort: 'descending',
        left: compact ? '5%' : '10%',
        width: compact ? '90%' : '80%',
        top: 8,
        bottom: 8,
        gap: 2,
        label: {
          show: true,
          position: 'inside',
          formatter: (p: unknown) => {
            const it = p as { name?: string; value?: unknown; dataIndex?: number };
            return `${it.name ?? ''}\n${formatUnits(it.value, formatAt(it.dataIndex ?? 0), locale, compact)}`;
          },
        },
        data,
      },
    ],
  } as EChartsOption;
}

/** A stage's records: its row, or (measures as stages) every record with the stage's measure filter. */
export function funnelDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const { result: r } = input;
  const dims = dimensionColumns(r);
  if (click.dataIndex === undefined || !drillable(dims)) return undefined;
  const d = dims[0];
  if (d) {
    const row = r.rows[click.dataIndex];
    return row ? withMeasure({ cell: { [d.key]: row[d.key] ?? null } }, seriesMeasure(r, undefined)) : undefined;
  }
  const name = String(obj(list(obj(list(input.option.series)[0]).data)[click.dataIndex]).name ?? '');
  const ms = measureColumns(r);
  const m = ms.find((x) => x.label === name) ?? ms[click.dataIndex];
  return m ? { cell: {}, measure: m.key } : undefined;
}

/** chart.funnel: stages narrowing down. */
export const funnel: ChartRenderer = { key: 'chart.funnel', echarts: { option: funnelOption, drill: funnelDrill } };
