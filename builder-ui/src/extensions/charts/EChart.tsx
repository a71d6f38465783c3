import type { EChartsOption, EChartsType } from 'echarts';
import { useEffect, useRef } from 'react';
import { init } from './echarts';
import type { ChartClick } from './types';

interface Props {
  option: EChartsOption;
  height: number;
  onClick?: (e: ChartClick) => void;
}

/**
 * One ECharts instance in a div: created on mount, given each new option
 * whole (notMerge, so a refresh with fewer series leaves none behind),
 * resized with its box, disposed on unmount.
 */
export function EChart({ option, height, onClick }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const c = init(el, undefined, { renderer: 'svg' }) as unknown as EChartsType;
    chart.current = c;
    c.on('click', (e) => click.current?.(e as ChartClick));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} style={{ width: '100%', height }} data-testid="echart" />;
}
