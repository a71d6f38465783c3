import { axisRenderer } from './axis';
import type { ChartRenderer } from './types';

/** chart.line: trends over a date dimension, one line per measure (or per value of a second dimension). */
export const line: ChartRenderer = { key: 'chart.line', echarts: axisRenderer('line') };
