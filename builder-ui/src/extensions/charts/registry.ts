import { bar } from './bar';
import { donut } from './donut';
import { funnel } from './funnel';
import { heatmap } from './heatmap';
import { kpi } from './kpi';
import { line } from './line';
import { map } from './map';
import { pie } from './pie';
import { pivot } from './pivot';
import { stackedBar } from './stacked_bar';
import { table } from './table';
import type { ChartRenderer } from './types';

/**
 * The one registry of chart renderers, keyed like the server's chart types
 * (engine/report RegisterChart, GET /api/report-charts); charts.test.ts
 * checks that both hold the same keys. A type added on the server needs
 * its <key>.tsx here.
 */
const registry = new Map<string, ChartRenderer>([kpi, line, bar, stackedBar, pie, donut, funnel, table, pivot, map, heatmap].map((r) => [r.key, r]));

/** The renderer of a chart type; a type without one (a plugin's) shows its data as a table. */
export function chartRenderer(type: string | undefined): ChartRenderer {
  return (type && registry.get(type)) || table;
}

/** Whether the UI has a renderer of its own for a type. */
export function hasChartRenderer(type: string): boolean {
  return registry.has(type);
}

/** Every registered chart type key, sorted (for the designer's palette). */
export function chartTypeKeys(): string[] {
  return [...registry.keys()].sort();
}
