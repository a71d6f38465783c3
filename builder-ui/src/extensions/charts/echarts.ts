import { BarChart, FunnelChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

/**
 * ECharts with only what the chart types use, so the dashboard chunk stays
 * small. SVG rather than canvas: crisp on phones, light with many small
 * widgets, and every bar and slice is an element the browser tests can
 * click.
 */
use([LineChart, BarChart, PieChart, FunnelChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, DataZoomComponent, SVGRenderer]);

export { init };
