import type { EChartsOption } from 'echarts';
import type { ComponentType } from 'react';
import type { DrillCell, ReportResult } from '../../dashboards/api';
import type { Locale } from '../../i18n/locale';

/** What every chart renderer is given. */
export interface ChartInput {
  result: ReportResult;
  /** The server's ECharts option, or the settings of a component chart (kpi, table, pivot). */
  option: Record<string, unknown>;
  locale: Locale;
  /** A phone-sized widget: fewer labels, legends below. */
  compact: boolean;
}

/** The parts of an ECharts click event the drill-down reads. */
export interface ChartClick {
  componentType?: string;
  seriesIndex?: number;
  dataIndex?: number;
  name?: string;
  value?: unknown;
  data?: unknown;
}

/** A chart drawn by ECharts: the final option, and the cell behind a click. */
export interface EChartsRenderer {
  option(input: ChartInput): EChartsOption;
  /** The cell a click selects; undefined when the item is not a cell (or cannot be drilled). */
  drill?(input: ChartInput, click: ChartClick): DrillCell | undefined;
}

/** What a component chart is given. */
export interface ChartComponentProps {
  input: ChartInput;
  /** Opens the records behind a cell; absent where drilling is off. */
  onDrill?: (cell: DrillCell) => void;
  /** The height available, in pixels (undefined: as tall as the content). */
  height?: number;
}

/**
 * The UI half of one chart type of engine/report (chart_<key>.go): either
 * an ECharts chart built from the server's option and the result, or a
 * React component (KPI card, table, pivot). One file per type, all in
 * registry.ts.
 */
export interface ChartRenderer {
  /** The server's key, "chart.bar". */
  key: string;
  echarts?: EChartsRenderer;
  Component?: ComponentType<ChartComponentProps>;
}
