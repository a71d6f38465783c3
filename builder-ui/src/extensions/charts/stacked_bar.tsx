import { axisRenderer } from './axis';
import type { ChartRenderer } from './types';

/** chart.stacked_bar: bars stacked by the second dimension (sales by month, stacked by region), or by measure. */
export const stackedBar: ChartRenderer = { key: 'chart.stacked_bar', echarts: axisRenderer('bar') };
