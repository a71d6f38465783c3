import { pieDrill, pieOption } from './pie';
import type { ChartRenderer } from './types';

/** chart.donut: a pie with a hole, for shares next to a total. */
export const donut: ChartRenderer = { key: 'chart.donut', echarts: { option: (input) => pieOption(input, true), drill: pieDrill } };
