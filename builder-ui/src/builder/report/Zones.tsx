import { CloseOutlined } from '@ant-design/icons';
import { useDraggable, useDroppable } from '@dnd-kit/core';
import { horizontalListSortingStrategy, SortableContext, useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Flex, Tag, Typography, theme } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/useI18n';
import type { DatasetField } from './model';

/** A field of the dataset to drag onto the dimensions or the measures. */
export function FieldChip({ f, onAdd }: { f: DatasetField; onAdd: (to: 'dims' | 'measures') => void }) {
  const { text, t } = useI18n();
  const { token } = theme.useToken();
  const { setNodeRef, listeners, attributes, isDragging } = useDraggable({ id: `field:${f.path}`, data: { path: f.path } });
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      data-testid={`report-field-${f.path}`}
      style={{ display: 'flex', alignItems: 'center', gap: 4, padding: '2px 6px', border: `1px solid ${token.colorBorder}`, borderRadius: token.borderRadius, background: token.colorBgContainer, cursor: 'grab', opacity: isDragging ? 0.4 : 1, touchAction: 'none' }}
    >
      <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={f.path}>
        {f.join ? `${f.join} · ` : ''}
        {text(f.field.label) || f.field.key}
      </span>
      <span onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
        <Tag style={{ cursor: 'pointer', marginInlineEnd: 2 }} onClick={() => onAdd('dims')} title={t('builder.report.toDims')}>
          D
        </Tag>
        <Tag style={{ cursor: 'pointer', marginInlineEnd: 0 }} color="green" onClick={() => onAdd('measures')} title={t('builder.report.toMeasures')}>
          M
        </Tag>
      </span>
    </div>
  );
}

/** One placed dimension or measure: drag to reorder, click for its settings. */
function Placed({ id, label, selected, color, onSelect, onRemove }: { id: string; label: ReactNode; selected: boolean; color: string; onSelect: () => void; onRemove: () => void }) {
  const { setNodeRef, attributes, listeners, transform, transition } = useSortable({ id });
  return (
    <span ref={setNodeRef} {...attributes} {...listeners} style={{ transform: CSS.Translate.toString(transform), transition, touchAction: 'none' }} onClick={onSelect} data-testid={`placed-${id}`}>
      <Tag color={selected ? 'processing' : color} closeIcon={<CloseOutlined />} onClose={(e) => (e.preventDefault(), onRemove())} style={{ cursor: 'grab', padding: '2px 8px' }}>
        {label}
      </Tag>
    </span>
  );
}

interface ZoneProps {
  zone: 'dims' | 'measures';
  title: string;
  items: { id: string; label: ReactNode }[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  onRemove: (index: number) => void;
}

/** The dimensions or the measures: a drop zone of placed fields. */
export function Zone({ zone, title, items, selected, onSelect, onRemove }: ZoneProps) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const { setNodeRef, isOver } = useDroppable({ id: `zone:${zone}` });
  return (
    <div ref={setNodeRef} data-testid={`zone-${zone}`} style={{ border: `1px dashed ${isOver ? token.colorPrimary : token.colorBorder}`, borderRadius: token.borderRadius, padding: 8, minHeight: 48, background: isOver ? token.colorPrimaryBg : undefined }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {title}
      </Typography.Text>
      <SortableContext items={items.map((i) => i.id)} strategy={horizontalListSortingStrategy}>
        <Flex wrap gap={4} style={{ marginTop: 4 }}>
          {items.map((it, i) => (
            <Placed key={it.id} id={it.id} label={it.label} selected={selected === it.id} color={zone === 'dims' ? 'blue' : 'green'} onSelect={() => onSelect(it.id)} onRemove={() => onRemove(i)} />
          ))}
          {items.length === 0 && <Typography.Text type="secondary">{t('builder.report.dropHere')}</Typography.Text>}
        </Flex>
      </SortableContext>
    </div>
  );
}
