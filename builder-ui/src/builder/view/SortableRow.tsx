import { HolderOutlined } from '@ant-design/icons';
import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/useI18n';

/**
 * One row of a sortable list (a view's columns, a page's blocks): moved by
 * its handle, with the mouse or with Space and the arrow keys.
 */
export function SortableRow({ id, testId, children }: { id: string; testId: string; children: (handle: ReactNode) => ReactNode }) {
  const { setNodeRef, attributes, listeners, transform, transition } = useSortable({ id });
  const { t } = useI18n();
  return (
    <div ref={setNodeRef} style={{ transform: CSS.Translate.toString(transform), transition }}>
      {children(
        <span {...attributes} {...listeners} style={{ cursor: 'grab', touchAction: 'none', padding: '0 4px' }} aria-label={t('builder.rule.dragRow')} data-testid={testId}>
          <HolderOutlined />
        </span>,
      )}
    </div>
  );
}
