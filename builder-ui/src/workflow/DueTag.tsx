import { ClockCircleOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { formatDateTime } from '../format/date';
import { useI18n } from '../i18n/useI18n';
import type { Task } from './api';
import { dueColor, dueState } from './model';

/** A pending task's deadline: the date, coloured by how close it is. */
export function DueTag({ task, now }: { task: Pick<Task, 'dueAt' | 'overdue' | 'status'>; now: Date }) {
  const { t, locale } = useI18n();
  if (!task.dueAt) return null;
  const state = dueState(task, now);
  const when = formatDateTime(task.dueAt, locale);
  const label = state === 'overdue' ? t('inbox.due.overdue') : state === 'today' ? t('inbox.due.today') : undefined;
  return (
    <Tooltip title={t('inbox.dueAt', { when })}>
      <Tag color={dueColor(state)} icon={<ClockCircleOutlined />} data-testid="due-tag" data-due={state ?? 'none'}>
        {label ? `${label} · ${when}` : when}
      </Tag>
    </Tooltip>
  );
}
