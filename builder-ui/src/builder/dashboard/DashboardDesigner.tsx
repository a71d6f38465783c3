import 'react-grid-layout/css/styles.css';
import { DeleteOutlined, DragOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Collapse, Empty, Flex, Form, InputNumber, Select, Space } from 'antd';
import { useEffect, useMemo, useState, type RefObject } from 'react';
import ReactGridLayout, { useContainerWidth, type Layout } from 'react-grid-layout';
import { listDefinitions } from '../../api/meta';
import { runReport, type DashboardSpec, type Widget, type WidgetData } from '../../dashboards/api';
import { CARD_HEAD, GRID_COLS, GRID_MARGIN, ROW_HEIGHT, itemHeight, widgetKey } from '../../dashboards/grid';
import { WidgetCard } from '../../dashboards/WidgetCard';
import { useAsync } from '../../hooks/useAsync';
import { problemText } from '../errors';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import { SidePanel, useNarrow } from '../SidePanel';
import type { Designer } from '../lifecycle/useDesigner';
import { FiltersEditor } from './FiltersEditor';
import { addWidget, applyLayout, removeWidget, toLayout, updateWidget, withIds } from './layout';
import { WidgetPanel } from './WidgetPanel';

/** A widget's parameters for the designer's preview: fixed values, and the filters' defaults. */
function previewParams(spec: DashboardSpec, w: Widget): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(w.params ?? {})) {
    if (typeof v === 'string' && v.startsWith('$')) {
      const f = spec.filters?.find((x) => x.key === v.slice(1));
      if (f?.default !== undefined) out[k] = f.default;
    } else out[k] = v;
  }
  return out;
}

/** Runs a widget's published report, as the dashboard will. */
function useWidgetData(app: string, spec: DashboardSpec, w: Widget, key: string): WidgetData | undefined {
  const { t } = useI18n();
  const [data, setData] = useState<WidgetData>();
  const params = JSON.stringify(previewParams(spec, w));
  useEffect(() => {
    let current = true;
    setData(undefined);
    runReport(app, w.report, JSON.parse(params) as Record<string, unknown>).then(
      (result) => current && setData({ id: key, report: w.report, title: result.title ?? w.report, result }),
      (e: unknown) => {
        if (current) setData({ id: key, report: w.report, title: w.report, error: { code: 'preview', message: problemText(t, e) } });
      },
    );
    return () => {
      current = false;
    };
  }, [app, w.report, params, key, t]);
  return data;
}

function DesignerWidget({ app, spec, w, k, selected, onSelect, onRemove }: { app: string; spec: DashboardSpec; w: Widget; k: string; selected: boolean; onSelect: () => void; onRemove: () => void }) {
  const { t } = useI18n();
  const data = useWidgetData(app, spec, w, k);
  return (
    <div style={{ height: '100%', position: 'relative', outline: selected ? '2px solid #1677ff' : undefined, borderRadius: 8 }} onClick={onSelect} data-testid={`design-widget-${k}`}>
      <Space style={{ position: 'absolute', top: 6, insetInlineEnd: 8, zIndex: 2 }}>
        <Button size="small" type="text" className="widget-drag" icon={<DragOutlined />} style={{ cursor: 'move' }} aria-label={t('builder.dash.move')} data-testid={`widget-drag-${k}`} />
        <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={(e) => (e.stopPropagation(), onRemove())} aria-label={t('builder.remove')} />
      </Space>
      <WidgetCard widget={w} data={data} chartHeight={itemHeight(w.h) - CARD_HEAD - 16} compact={false} fill />
    </div>
  );
}

/**
 * The dashboard designer: reports placed on the runtime's 24-column grid
 * (drag by the handle, resize by the corner), each drawn as users will see
 * it; global filters bound to the widgets' parameters; auto refresh and
 * the roles that see the dashboard.
 */
export function DashboardDesigner({ d }: { d: Designer<DashboardSpec> }) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const [selected, setSelected] = useState<string>();
  // On a phone the selected widget's properties open in a drawer.
  const narrow = useNarrow();
  const [adding, setAdding] = useState<string>();
  const { data: reports } = useAsync(() => listDefinitions(d.app, 'report'), [d.app]);
  const { data: roleDefs } = useAsync(() => listDefinitions(d.app, 'role').catch(() => []), [d.app]);
  const { width, containerRef, mounted } = useContainerWidth();
  const layout = useMemo(() => toLayout(spec.widgets), [spec.widgets]);
  const sel = spec.widgets.find((w, i) => widgetKey(w, i) === selected);

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} />
      <Flex gap={12} align="start">
        <Flex vertical gap={12} style={{ flex: 1, minWidth: 0 }}>
          <Card size="small">
            <Flex gap={8} wrap align="center">
              <Select
                showSearch
                optionFilterProp="label"
                placeholder={t('builder.dash.pickReport')}
                value={adding}
                onChange={setAdding}
                options={(reports ?? []).map((r) => ({ value: r.key, label: `${text(r.spec.title) || r.key}${r.status === 'draft' && r.version === 1 ? ` (${t('status.draft')})` : ''}` }))}
                style={{ minWidth: 220 }}
                aria-label={t('builder.dash.pickReport')}
                data-testid="widget-report"
              />
              <Button
                icon={<PlusOutlined />}
                disabled={!adding}
                onClick={() => {
                  if (!adding) return;
                  const r = addWidget(withIds(spec), adding);
                  d.set(r.spec);
                  setSelected(r.id);
                  setAdding(undefined);
                }}
                data-testid="add-widget"
              >
                {t('builder.dash.addWidget')}
              </Button>
            </Flex>
            <Collapse
              ghost
              size="small"
              items={[
                {
                  key: 'settings',
                  label: t('builder.dash.settings'),
                  children: (
                    <Flex vertical gap={12}>
                      <Form layout="inline" size="small" component="div" style={{ rowGap: 8 }}>
                        <Form.Item label={t('builder.form.label')}>
                          <div style={{ width: 240 }}>
                            <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'dash:title')} onBlur={d.seal} label={t('builder.form.label')} />
                          </div>
                        </Form.Item>
                        <Form.Item label={t('builder.dash.refresh')}>
                          <InputNumber min={0} max={86400} value={spec.refreshSeconds ?? null} onChange={(r) => d.set({ ...spec, refreshSeconds: r ?? undefined })} addonAfter="s" style={{ width: 130 }} />
                        </Form.Item>
                        <Form.Item label={t('builder.dash.roles')}>
                          <Select mode="tags" value={spec.roles ?? []} onChange={(roles: string[]) => d.set({ ...spec, roles: roles.length > 0 ? roles : undefined })} options={(roleDefs ?? []).map((r) => ({ value: r.key, label: text(r.spec.title) || r.key }))} style={{ minWidth: 200 }} />
                        </Form.Item>
                      </Form>
                      <FiltersEditor spec={spec} set={d.set} />
                    </Flex>
                  ),
                },
              ]}
            />
          </Card>
          {/* On a phone the grid keeps a desktop's proportions and scrolls sideways inside itself. */}
          <div style={narrow ? { overflowX: 'auto' } : undefined}>
            <div ref={containerRef as RefObject<HTMLDivElement>} data-testid="dashboard-canvas" style={{ minHeight: 200, ...(narrow ? { minWidth: 720 } : {}) }}>
              {spec.widgets.length === 0 && <Empty description={t('builder.dash.empty')} />}
              {mounted && (
                <ReactGridLayout
                  width={width}
                  layout={layout as Layout}
                  gridConfig={{ cols: GRID_COLS, rowHeight: ROW_HEIGHT, margin: [GRID_MARGIN, GRID_MARGIN], containerPadding: [0, 0] }}
                  dragConfig={{ handle: '.widget-drag' }}
                  onLayoutChange={(l) => {
                    const next = applyLayout(spec.widgets, l as unknown as Parameters<typeof applyLayout>[1]);
                    if (next !== spec.widgets) d.set({ ...spec, widgets: next });
                  }}
                >
                  {spec.widgets.map((w, i) => {
                    const k = widgetKey(w, i);
                    return (
                      <div key={k}>
                        <DesignerWidget
                          app={d.app}
                          spec={spec}
                          w={w}
                          k={k}
                          selected={selected === k}
                          onSelect={() => setSelected(k)}
                          onRemove={() => {
                            d.set(removeWidget(spec, k));
                            setSelected(undefined);
                          }}
                        />
                      </div>
                    );
                  })}
                </ReactGridLayout>
              )}
            </div>
          </div>
        </Flex>
        <SidePanel narrow={narrow} open={!!sel} onClose={() => setSelected(undefined)} width={320} testId="dashboard-properties">
          {sel && selected ? (
            <WidgetPanel key={selected} spec={spec} widget={sel} reports={reports ?? []} update={(patch, group) => d.update((s) => updateWidget(s, selected, patch), group)} />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.dash.hint')} />
          )}
        </SidePanel>
      </Flex>
    </Flex>
  );
}
