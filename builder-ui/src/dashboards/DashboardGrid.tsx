import 'react-grid-layout/css/styles.css';
import { Flex } from 'antd';
import { useMemo, type RefObject } from 'react';
import ReactGridLayout, { useContainerWidth, type Layout } from 'react-grid-layout';
import type { DrillCell, Widget, WidgetData } from './api';
import { readingOrder } from './filters';
import { CARD_HEAD, GRID_COLS, GRID_MARGIN, ROW_HEIGHT, itemHeight, phoneChartHeight, widgetKey } from './grid';
import { WidgetCard } from './WidgetCard';

interface Props {
  widgets: Widget[];
  /** Results by widget key. */
  data: Map<string, WidgetData>;
  mobile: boolean;
  exportsOf: (w: Widget) => { csv: string; xlsx: string } | undefined;
  onDrill: (data: WidgetData, cell: DrillCell) => void;
}

/**
 * The widgets on the dashboard's 24-column grid (react-grid-layout, fixed:
 * the runtime does not move them; the designer does), or on a phone one
 * under the other in reading order at full width.
 */
export function DashboardGrid({ widgets, data, mobile, exportsOf, onDrill }: Props) {
  const { width, containerRef, mounted } = useContainerWidth();
  const keyed = useMemo(() => widgets.map((w, i) => ({ w, key: widgetKey(w, i) })), [widgets]);
  const layout: Layout = useMemo(
    () => keyed.map(({ w, key }) => ({ i: key, x: Math.min(w.x, GRID_COLS - 1), y: w.y, w: Math.min(w.w, GRID_COLS), h: w.h, static: true })),
    [keyed],
  );
  const typeOf = (key: string, w: Widget) => w.chart?.type ?? data.get(key)?.result?.chart?.type;

  if (mobile) {
    return (
      <Flex vertical gap={12} data-testid="dashboard-stack">
        {readingOrder(keyed.map((k) => ({ ...k, x: k.w.x, y: k.w.y }))).map(({ w, key }) => (
          <WidgetCard key={key} widget={w} data={data.get(key)} chartHeight={phoneChartHeight(typeOf(key, w))} compact exports={exportsOf(w)} onDrill={onDrill} />
        ))}
      </Flex>
    );
  }
  return (
    <div ref={containerRef as RefObject<HTMLDivElement>} data-testid="dashboard-grid">
      {mounted && (
        <ReactGridLayout
          width={width}
          layout={layout}
          gridConfig={{ cols: GRID_COLS, rowHeight: ROW_HEIGHT, margin: [GRID_MARGIN, GRID_MARGIN], containerPadding: [0, 0] }}
          dragConfig={{ enabled: false }}
          resizeConfig={{ enabled: false }}
        >
          {keyed.map(({ w, key }) => (
            <div key={key}>
              <WidgetCard
                widget={w}
                data={data.get(key)}
                chartHeight={itemHeight(w.h) - CARD_HEAD - 16}
                compact={false}
                exports={exportsOf(w)}
                onDrill={onDrill}
                fill
              />
            </div>
          ))}
        </ReactGridLayout>
      )}
    </div>
  );
}
