import { DeleteOutlined } from '@ant-design/icons';
import { DndContext, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { Button, Empty, Flex, InputNumber, Select, Typography } from 'antd';
import type { FieldDef, ViewColumn } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { clampWidth, MAX_WIDTH, MIN_WIDTH, problemsAt } from './model';
import { SortableRow } from './SortableRow';

interface Props {
  columns: ViewColumn[];
  /** The fields a column can show. */
  fields: FieldDef[];
  onAdd: (field: string) => void;
  onRemove: (i: number) => void;
  onMove: (from: number, to: number) => void;
  onWidth: (i: number, width: number | undefined) => void;
  onFixed: (i: number, fixed: 'left' | 'right' | undefined) => void;
  /** Server and local problems, paths relative to the spec. */
  problems: { path: string; message: string }[];
}

/**
 * The columns of a view in order: each dragged by its handle (or Space and
 * the arrow keys), with its width and pinning; a field added from the
 * form's fields not yet shown; each column's problems under it.
 */
export function ColumnList({ columns, fields, onAdd, onRemove, onMove, onWidth, onFixed, problems }: Props) {
  const { t, text } = useI18n();
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const ids = columns.map((c) => c.field);
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const label = (c: ViewColumn) => (c.label ? text(c.label) : text(byKey.get(c.field.split('.')[0] ?? '')?.label)) || c.field;
  const onDragEnd = (e: DragEndEvent) => {
    if (e.over && e.active.id !== e.over.id) onMove(ids.indexOf(String(e.active.id)), ids.indexOf(String(e.over.id)));
  };
  const free = fields.filter((f) => !ids.includes(f.key));
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
        options={free.map((f) => ({ value: f.key, label: text(f.label) || f.key }))}
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
