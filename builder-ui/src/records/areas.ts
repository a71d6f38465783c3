import { useEffect, useState } from 'react';

/**
 * China's administrative divisions (GB/T 2260 codes: 34 provinces, ~370
 * cities, ~3,500 districts) from @vant/area-data. The server knows only the
 * provinces and checks that a city lies in its province and a district in
 * its city by code prefix; the full table belongs to the picker. It is
 * loaded on first use, in its own chunk, so pages without an address do
 * not pay for it.
 */
export interface Areas {
  provinces: Record<string, string>;
  cities: Record<string, string>;
  districts: Record<string, string>;
}

/** A cascader option: a code, its name, and the level below. */
export interface AreaOption {
  value: string;
  label: string;
  children?: AreaOption[];
}

let loading: Promise<Areas> | undefined;

export function loadAreas(): Promise<Areas> {
  loading ??= import('@vant/area-data').then((m) => ({
    provinces: m.areaList.province_list,
    cities: m.areaList.city_list,
    districts: m.areaList.county_list,
  }));
  return loading;
}

/** The divisions, once loaded. */
export function useAreas(): Areas | undefined {
  const [areas, setAreas] = useState<Areas | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void loadAreas().then((a) => current && setAreas(a));
    return () => {
      current = false;
    };
  }, []);
  return areas;
}

/** The cascader tree down to depth (1 province, 2 city, 3 district); children hang by code prefix. */
export function areaOptions(a: Areas, depth: number): AreaOption[] {
  const byPrefix = (list: Record<string, string>, len: number) => {
    const m = new Map<string, AreaOption[]>();
    for (const [value, label] of Object.entries(list)) {
      const k = value.slice(0, len);
      let arr = m.get(k);
      if (!arr) m.set(k, (arr = []));
      arr.push({ value, label });
    }
    return m;
  };
  const districts = byPrefix(a.districts, 4);
  const cities = byPrefix(a.cities, 2);
  return Object.entries(a.provinces).map(([value, label]) => {
    const p: AreaOption = { value, label };
    if (depth >= 2) {
      p.children = (cities.get(value.slice(0, 2)) ?? []).map((c) =>
        depth >= 3 ? { ...c, children: districts.get(c.value.slice(0, 4)) ?? [] } : c,
      );
    }
    return p;
  });
}

/** "广东省 深圳市 南山区" for an address value; codes stand in while the table loads. */
export function areaNames(a: Areas | undefined, v: { province?: string; city?: string; district?: string }): string[] {
  const out: string[] = [];
  if (v.province) out.push(a?.provinces[v.province] ?? v.province);
  if (v.city) out.push(a?.cities[v.city] ?? v.city);
  if (v.district) out.push(a?.districts[v.district] ?? v.district);
  return out;
}
