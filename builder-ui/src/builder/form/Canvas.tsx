import { ArrowDownOutlined, ArrowUpOutlined, BranchesOutlined, CopyOutlined, DeleteOutlined, HolderOutlined, PlusOutlined } from '@ant-design/icons';
import { useDroppable } from '@dnd-kit/core';
import { rectSortingStrategy, SortableContext, useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Badge, Button, Card, Empty, Flex, Tag, Tooltip, Typography, theme } from 'antd';
import type { KeyboardEvent } from 'react';
import type { FieldDef, FormSection, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { paletteItem } from './palette';
import { sectionsOf } from './model';

interface Props {
  spec: FormSpec;
  selected: string | undefined;
  /** Field keys with problems (local or from the server). */
  flagged: ReadonlySet<string>;
  onSelect: (key: string | undefined) => void;
  onSelectSection: (index: number) => void;
  onNudge: (key: string, delta: -1 | 1) => void;
  onRemove: (key: string) => void;
  onDuplicate: (key: string) => void;
  onAddSection: () => void;
}

function FieldCard({ f, selected, flagged, props }: { f: FieldDef; selected: boolean; flagged: boolean; props: Props }) {
  const { text, locale, t } = useI18n();
  const { token } = theme.useToken();
  const { setNodeRef, attributes, listeners, transform, transition, isDragging } = useSortable({ id: `field:${f.key}`, data: { key: f.key } });
  const onKey = (e: KeyboardEvent) => {
    // Alt+arrows move the field without picking it up (dnd-kit's Space + arrows work too).
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      e.stopPropagation();
      props.onNudge(f.key, e.key === 'ArrowUp' ? -1 : 1);
    } else if (e.key === 'Delete') {
      e.preventDefault();
      props.onRemove(f.key);
    }
  };
  const conditional = !!f.visibleWhen || !!f.requiredWhen;
  return (
    <div
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      onKeyDown={(e) => {
        onKey(e);
        if (!e.defaultPrevented) listeners?.onKeyDown?.(e);
      }}
      onFocus={() => props.onSelect(f.key)}
      onClick={() => props.onSelect(f.key)}
      data-testid={`canvas-field-${f.key}`}
      aria-label={text(f.label) || f.key}
      style={{
        transform: CSS.Translate.toString(transform),
        transition,
        opacity: isDragging ? 0.4 : 1,
        padding: 8,
        border: `1px ${selected ? 'solid' : 'dashed'} ${flagged ? token.colorError : selected ? token.colorPrimary : token.colorBorder}`,
        borderRadius: token.borderRadius,
        background: selected ? token.colorPrimaryBg : token.colorBgContainer,
        cursor: 'grab',
        touchAction: 'none',
        outline: 'none',
        minWidth: 0,
      }}
    >
      <Flex align="center" gap={6}>
        <HolderOutlined style={{ color: token.colorTextTertiary }} />
        <Typography.Text strong ellipsis style={{ flex: 1, minWidth: 0 }}>
          {f.required && <span style={{ color: token.colorError }}>* </span>}
          {text(f.label) || f.key}
        </Typography.Text>
        {conditional && (
          <Tooltip title={t('builder.form.conditional')}>
            <BranchesOutlined style={{ color: token.colorWarning }} />
          </Tooltip>
        )}
        <Tag style={{ marginInlineEnd: 0 }}>{paletteItem(f.type).title[locale]}</Tag>
      </Flex>
      <Flex align="center" gap={4} style={{ marginTop: 2 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12, flex: 1 }}>
          {f.key}
          {f.hidden ? ` · ${t('builder.form.hidden')}` : ''}
          {f.readOnly ? ` · ${t('builder.form.readOnly')}` : ''}
        </Typography.Text>
        {selected && (
          <span onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
            <Button type="text" size="small" icon={<ArrowUpOutlined />} onClick={() => props.onNudge(f.key, -1)} aria-label={t('builder.moveUp')} />
            <Button type="text" size="small" icon={<ArrowDownOutlined />} onClick={() => props.onNudge(f.key, 1)} aria-label={t('builder.moveDown')} />
            <Button type="text" size="small" icon={<CopyOutlined />} onClick={() => props.onDuplicate(f.key)} aria-label={t('builder.duplicate')} />
            <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={() => props.onRemove(f.key)} aria-label={t('builder.remove')} data-testid="field-remove" />
          </span>
        )}
      </Flex>
    </div>
  );
}

function Section({ s, index, props }: { s: FormSection; index: number; props: Props }) {
  const { text, t } = useI18n();
  const { token } = theme.useToken();
  const { setNodeRef, isOver } = useDroppable({ id: `section:${index}`, data: { section: index } });
  const byKey = new Map(props.spec.fields.map((f) => [f.key, f]));
  const cols = Math.min(Math.max(s.columns ?? 1, 1), 4);
  return (
    <Card
      size="small"
      title={
        <span onClick={() => props.onSelectSection(index)} style={{ cursor: 'pointer' }} data-testid={`section-title-${index}`}>
          {s.title ? text(s.title) : t('builder.form.sectionN', { n: index + 1 })}
          <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 8 }}>
            {t('builder.form.columnsN', { n: cols })}
          </Typography.Text>
        </span>
      }
      style={{ borderColor: isOver ? token.colorPrimary : undefined }}
      data-testid={`canvas-section-${index}`}
    >
      <SortableContext items={s.fields.map((k) => `field:${k}`)} strategy={rectSortingStrategy}>
        <div ref={setNodeRef} data-testid={`section-drop-${index}`} style={{ display: 'grid', gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gap: 8, minHeight: 56, paddingBottom: 24 }}>
          {s.fields.map((k) => {
            const f = byKey.get(k);
            return f ? <FieldCard key={k} f={f} selected={props.selected === k} flagged={props.flagged.has(k)} props={props} /> : null;
          })}
          {s.fields.length === 0 && (
            <Badge status="default" text={<Typography.Text type="secondary">{t('builder.form.dropHere')}</Typography.Text>} style={{ gridColumn: '1 / -1', padding: 16 }} />
          )}
        </div>
      </SortableContext>
    </Card>
  );
}

/** The form as sections of field cards: drop types here, drag cards (or Space and arrows, or Alt+arrows) to reorder. */
export function Canvas(props: Props) {
  const { t } = useI18n();
  const sections = sectionsOf(props.spec);
  return (
    <Flex vertical gap={12} data-testid="canvas" onClick={(e) => e.target === e.currentTarget && props.onSelect(undefined)}>
      {props.spec.fields.length === 0 && <Empty description={t('builder.form.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />}
      {sections.map((s, i) => (
        <Section key={i} s={s} index={i} props={props} />
      ))}
      <Button icon={<PlusOutlined />} onClick={props.onAddSection} type="dashed" data-testid="add-section">
        {t('builder.form.addSection')}
      </Button>
    </Flex>
  );
}
