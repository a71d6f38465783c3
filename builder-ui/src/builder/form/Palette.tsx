import { useDraggable } from '@dnd-kit/core';
import { Button, Flex, Typography, theme } from 'antd';
import { useI18n } from '../../i18n/useI18n';
import { paletteGroups, type PaletteItem } from './palette';

function Item({ item, onAdd }: { item: PaletteItem; onAdd: (type: string) => void }) {
  const { locale, t } = useI18n();
  const { token } = theme.useToken();
  const { setNodeRef, listeners, attributes, isDragging } = useDraggable({ id: `palette:${item.type}`, data: { type: item.type } });
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      data-testid={`palette-${item.type}`}
      style={{
        padding: '4px 8px',
        border: `1px solid ${token.colorBorder}`,
        borderRadius: token.borderRadius,
        background: token.colorBgContainer,
        cursor: 'grab',
        opacity: isDragging ? 0.4 : 1,
        display: 'flex',
        alignItems: 'center',
        gap: 4,
        touchAction: 'none',
        userSelect: 'none',
      }}
    >
      <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{item.title[locale]}</span>
      <Button
        type="text"
        size="small"
        onPointerDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.stopPropagation()}
        onClick={() => onAdd(item.type)}
        aria-label={t('builder.form.addType', { type: item.title[locale] })}
      >
        +
      </Button>
    </div>
  );
}

/** Every field type, by group: drag one onto the canvas, or press + to add it after the selection. */
export function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const { t } = useI18n();
  return (
    <Flex vertical gap={8} data-testid="palette">
      {paletteGroups().map(({ group, items }) => (
        <div key={group}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`builder.group.${group}`)}
          </Typography.Text>
          <Flex vertical gap={4} style={{ marginTop: 4 }}>
            {items.map((it) => (
              <Item key={it.type} item={it} onAdd={onAdd} />
            ))}
          </Flex>
        </div>
      ))}
    </Flex>
  );
}
