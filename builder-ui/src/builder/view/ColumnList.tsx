import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { DndContext, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { Button, Empty, Flex, InputNumber, Popover, Select, Typography } from 'antd';
import type { ViewColumn } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import { clampWidth, MAX_WIDTH, MIN_WIDTH, problemsAt, type ColumnChoice } from './model';
import { SortableRow } from './SortableRow';

interface Props {
  columns: ViewColumn[];
  /** What a column can show. */
  choices: ColumnChoice[];
  onAdd: (field: string) => void;
  onRemove: (i: number) => void;
  onMove: (from: number, to: number) => void;
  onWidth: (i: number, width: number | undefined) => void;
  onFixed: (i: number, fixed: 'left' | 'right' | undefined) => void;
  onLabel: (i: number, label: LocalizedText | undefined) => void;
  /** Server and local problems, paths relative to the spec. */
  problems: { path: string; message: string }[];
}

/**
 * The columns of a view in order: each dragged by its handle (or Space and
 * the arrow keys), with its width and pinning; a field added from the
 * form's fields not yet shown; each column's problems under it.
 */
export function ColumnList({ columns, choices, onAdd, onRemove, onMove, onWidth, onFixed, onLabel, problems }: Props) {
  const { t, text } = useI18n();
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const ids = columns.map((c) => c.field);
  const byPath = new Map(choices.map((c) => [c.path, c]));
  const path = (c: ColumnChoice) => c.labels.map((l) => text(l)).join(' / ');
  const label = (c: ViewColumn) => (c.label ? text(c.label) : byPath.has(c.field) ? path(byPath.get(c.field)!) : '') || c.field;
  const onDragEnd = (e: DragEndEvent) => {
    if (e.over && e.active.id !== e.over.id) onMove(ids.indexOf(String(e.active.id)), ids.indexOf(String(e.over.id)));
  };
  const free = choices.filter((c) => !ids.includes(c.path));
  return (
    <Flex vertical gap={6} data-testid="view-columns">
      {columns.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.view.noColumns')} />}
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={ids} strategy={verticalListSortingStrategy}>
          {columns.map((c, i) => {
            const own = problemsAt(problems, `columns[${i}]`);
            return (
              <SortableRow key={c.field} id={c.field} testId={`column-handle-${c.field}`}>
                {(handle) => (
                  <div data-testid={`view-column-${c.field}`} style={{ border: `1px solid ${own.length > 0 ? '#ff4d4f' : '#f0f0f0'}`, borderRadius: 6, padding: '4px 6px' }}>
                    <Flex gap={6} align="center" wrap>
                      {handle}
                      <Typography.Text strong ellipsis style={{ flex: '1 1 100px', minWidth: 0 }}>
                        {label(c)}
                      </Typography.Text>
                      <InputNumber size="small" min={MIN_WIDTH} max={MAX_WIDTH} value={c.width ?? null} placeholder={t('builder.view.auto')} onChange={(w) => onWidth(i, clampWidth(w))} style={{ width: 90 }} aria-label={t('builder.view.width')} />
                      <Select
                        size="small"
                        allowClear
                        value={c.fixed}
                        placeholder={t('builder.view.fixed')}
                        onChange={(v?: 'left' | 'right') => onFixed(i, v)}
                        options={[
                          { value: 'left', label: t('builder.view.fixedLeft') },
                          { value: 'right', label: t('builder.view.fixedRight') },
                        ]}
                        style={{ width: 90 }}
                        aria-label={t('builder.view.fixed')}
                      />
                      <Popover trigger="click" title={t('builder.view.columnLabel')} content={<LocalizedInput value={c.label} onChange={(l) => onLabel(i, l)} label={t('builder.view.columnLabel')} />}>
                        <Button size="small" type="text" icon={<EditOutlined />} aria-label={t('builder.view.columnLabel')} />
                      </Popover>
                      <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => onRemove(i)} aria-label={t('builder.remove')} />
                    </Flex>
                    {own.length > 0 && (
                      <Typography.Text type="danger" data-testid="column-problems">
                        {own.join('; ')}
                      </Typography.Text>
                    )}
                  </div>
                )}
              </SortableRow>
            );
          })}
        </SortableContext>
      </DndContext>
      <Select
        showSearch
        value={null}
        placeholder={t('builder.view.addColumn')}
        onChange={(f: string) => onAdd(f)}
        options={free.map((c) => ({ value: c.path, label: path(c) || c.path }))}
        optionFilterProp="label"
        disabled={free.length === 0}
        virtual={false}
        style={{ width: '100%' }}
        aria-label={t('builder.view.addColumn')}
        data-testid="view-add-column"
      />
    </Flex>
  );
}
