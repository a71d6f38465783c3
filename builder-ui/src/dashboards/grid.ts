import type { Widget } from './api';

/**
 * The dashboard grid, shared by the runtime and the designer so a layout
 * looks the same in both: 24 columns (the dashboard format's), rows of
 * ROW_HEIGHT pixels, GRID_MARGIN pixels between widgets.
 */
export const GRID_COLS = 24;
export const ROW_HEIGHT = 40;
export const GRID_MARGIN = 12;

/** The pixel height of a widget h rows tall. */
export function itemHeight(h: number): number {
  return h * ROW_HEIGHT + (h - 1) * GRID_MARGIN;
}

/** The height of a widget's card header, taken off its chart. */
export const CARD_HEAD = 40;

/** Chart heights of stacked widgets on a phone, by chart type (KPI cards take what they need). */
export function phoneChartHeight(type: string | undefined): number | undefined {
  if (type === 'chart.kpi') return undefined;
  if (type === 'chart.table' || type === 'chart.pivot') return 360;
  return 280;
}

/** A widget's key on the grid: its id, else its place. */
export function widgetKey(w: Pick<Widget, 'id'>, index: number): string {
  return w.id || `w${index}`;
}
