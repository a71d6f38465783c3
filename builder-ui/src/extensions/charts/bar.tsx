import { axisRenderer } from './axis';
import type { ChartRenderer } from './types';

/** chart.bar: bars per category, horizontal for rankings, stacked when the report says so. */
export const bar: ChartRenderer = { key: 'chart.bar', echarts: axisRenderer('bar') };
