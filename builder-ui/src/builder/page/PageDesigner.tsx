import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { DndContext, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { Button, Card, Dropdown, Empty, Flex, Form, Select, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import type { Definition } from '../../api/types';
import { useAsync } from '../../hooks/useAsync';
import type { MessageKey } from '../../i18n/messages';
import { useI18n } from '../../i18n/useI18n';
import { iconFor } from '../../navigation/icons';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { LocalizedInput } from '../LocalizedInput';
import { MENU_ICONS } from '../nav/ItemEditor';
import { SidePanel, useNarrow } from '../SidePanel';
import { problemsAt } from '../view/model';
import { SortableRow } from '../view/SortableRow';
import { BlockEditor } from './BlockEditor';
import { addBlock, BLOCK_TYPES, moveBlock, movedIndex, newBlock, pageProblems, removeBlock, setBlockType, setConfig, updateBlock, type PageSpec } from './model';
import { PageBlocks } from './PageBlocks';

type Targets = Record<'view' | 'dashboard' | 'report', Definition[]>;

async function loadTargets(app: string): Promise<Targets> {
  const [view, dashboard, report] = await Promise.all([listDefinitions(app, 'view'), listDefinitions(app, 'dashboard'), listDefinitions(app, 'report')]);
  return { view, dashboard, report };
}

/**
 * The page designer: the page's title and icon, its blocks in order
 * (text, a list, a dashboard, a report, a link), each dragged into place
 * and configured in the side panel, and the page drawn as the runtime
 * draws it. Problems show on the block and the setting they concern.
 */
export function PageDesigner({ d }: { d: Designer<PageSpec> }) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const narrow = useNarrow();
  const [selected, setSelected] = useState<number>();
  const [panel, setPanel] = useState(false);
  const { data: targets } = useAsync(() => loadTargets(d.app), [d.app]);
  const exists = useMemo(() => (targets ? (kind: string, key: string) => targets[kind as keyof Targets]?.some((x) => x.key === key) : undefined), [targets]);
  const local = useMemo(() => pageProblems(spec, exists).map((p) => ({ path: p.path, message: t(`builder.page.problem.${p.code}` as MessageKey, p.params) })), [spec, exists, t]);
  const problems = [...local, ...d.problems];
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  // Sortable ids must stay unique while ids are edited: the index keeps them apart.
  const ids = spec.blocks.map((b, i) => `${i}:${b.id ?? ''}`);
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    const from = ids.indexOf(String(e.active.id));
    const to = ids.indexOf(String(e.over.id));
    d.set(moveBlock(spec, from, to));
    if (selected !== undefined) setSelected(movedIndex(selected, from, to));
  };
  const select = (i: number) => {
    setSelected(i);
    setPanel(true);
  };
  const add = (type: (typeof BLOCK_TYPES)[number]) => {
    d.set(addBlock(spec, newBlock(spec.blocks, type)));
    select(spec.blocks.length);
  };
  const sel = selected !== undefined ? spec.blocks[selected] : undefined;
  const titleProblems = problemsAt(problems, 'title');
  const iconProblems = problemsAt(problems, 'icon');

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} blockers={local.map((p) => `${p.path}: ${p.message}`)} />
      <Flex gap={12} align={narrow ? 'stretch' : 'start'} vertical={narrow} style={{ minWidth: 0 }}>
        <Flex vertical gap={12} style={{ flex: 1, minWidth: 0 }}>
          <Card size="small" title={t('builder.page.settings')}>
            <Form layout={narrow ? 'vertical' : 'inline'} size="small" component="div" style={{ rowGap: 8 }}>
              <Form.Item label={t('builder.form.label')} validateStatus={titleProblems.length > 0 ? 'error' : undefined} help={titleProblems.length > 0 ? <span data-testid="problem-title">{titleProblems.join('; ')}</span> : undefined}>
                <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'page:title')} onBlur={d.seal} label={t('builder.form.label')} testId="page-title" />
              </Form.Item>
              <Form.Item label={t('builder.nav.icon')} validateStatus={iconProblems.length > 0 ? 'error' : undefined} help={iconProblems.join('; ') || undefined}>
                <Select
                  allowClear
                  value={spec.icon}
                  onChange={(icon?: string) => {
                    const next = { ...spec };
                    if (icon) next.icon = icon;
                    else delete next.icon;
                    d.set(next);
                  }}
                  options={MENU_ICONS.map((i) => ({ value: i, title: i, label: <span>{iconFor(i)} {i}</span> }))}
                  virtual={false}
                  style={{ minWidth: 140 }}
                  aria-label={t('builder.nav.icon')}
                  data-testid="page-icon"
                />
              </Form.Item>
            </Form>
          </Card>
          <Card
            size="small"
            title={t('builder.page.blocks')}
            extra={
              <Dropdown menu={{ items: BLOCK_TYPES.map((b) => ({ key: b, label: <span data-testid={`add-block-${b}`}>{t(`builder.page.block.${b}` as MessageKey)}</span> })), onClick: ({ key }) => add(key as (typeof BLOCK_TYPES)[number]) }} trigger={['click']}>
                <Button size="small" icon={<PlusOutlined />} data-testid="add-block">
                  {t('builder.page.addBlock')}
                </Button>
              </Dropdown>
            }
          >
            {spec.blocks.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.page.noBlocks')} />}
            <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
              <SortableContext items={ids} strategy={verticalListSortingStrategy}>
                <Flex vertical gap={6} data-testid="page-block-list">
                  {spec.blocks.map((b, i) => {
                    const own = problemsAt(problems, `blocks[${i}]`);
                    return (
                      <SortableRow key={ids[i]} id={ids[i]!} testId={`block-handle-${ids[i]}`}>
                        {(handle) => (
                          <div
                            onClick={() => select(i)}
                            data-testid={`block-row-${i}`}
                            style={{ border: `1px solid ${own.length > 0 ? '#ff4d4f' : selected === i ? '#1677ff' : '#f0f0f0'}`, borderRadius: 6, padding: '4px 6px', cursor: 'pointer' }}
                          >
                            <Flex gap={6} align="center">
                              {handle}
                              <Tag>{t(`builder.page.block.${b.type}` as MessageKey)}</Tag>
                              <Typography.Text ellipsis style={{ flex: 1, minWidth: 0 }}>
                                {text(b.title) || b.id}
                              </Typography.Text>
                              <Typography.Text type="secondary">{b.span ?? 24}/24</Typography.Text>
                              <Button
                                size="small"
                                type="text"
                                danger
                                icon={<DeleteOutlined />}
                                onClick={(e) => {
                                  e.stopPropagation();
                                  d.set(removeBlock(spec, i));
                                  setSelected(undefined);
                                }}
                                aria-label={t('builder.remove')}
                                data-testid={`block-remove-${i}`}
                              />
                            </Flex>
                            {own.length > 0 && (
                              <Typography.Text type="danger" data-testid={`block-problems-${i}`}>
                                {own.join('; ')}
                              </Typography.Text>
                            )}
                          </div>
                        )}
                      </SortableRow>
                    );
                  })}
                </Flex>
              </SortableContext>
            </DndContext>
          </Card>
          <Card size="small" title={t('builder.page.preview')} style={{ minWidth: 0 }}>
            <PageBlocks app={d.app} blocks={spec.blocks} />
          </Card>
        </Flex>
        <SidePanel narrow={narrow} open={panel && sel !== undefined} onClose={() => setPanel(false)} title={t('builder.phone.properties')} width={320} sticky testId="block-properties">
          {sel && selected !== undefined && targets ? (
            <BlockEditor
              key={selected}
              block={sel}
              index={selected}
              targets={targets}
              problems={problems}
              update={(patch, group) => d.set(updateBlock(spec, selected, patch), group)}
              setType={(type) => d.set(setBlockType(spec, selected, type))}
              setConfig={(key, value, group) => d.set(setConfig(spec, selected, key, value), group)}
              seal={d.seal}
            />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.page.pickBlock')} />
          )}
        </SidePanel>
      </Flex>
    </Flex>
  );
}
