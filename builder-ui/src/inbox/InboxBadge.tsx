import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Tooltip } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useAuth } from '../auth/useAuth';
import { useI18n } from '../i18n/useI18n';
import { listTasks, type InboxCounts } from '../workflow/api';
import { onTasksChanged } from '../workflow/events';
import { badgeText } from './model';

/** How often the badge asks again while the page is visible. */
const POLL_MS = 60_000;

/** The inbox of an app, or the one of every app outside them. */
export function inboxPath(app: string | undefined): string {
  return app ? `/apps/${encodeURIComponent(app)}/inbox` : '/inbox';
}

/**
 * The header's bell: the signed-in user's pending tasks, red when some are
 * overdue. It asks on mount, every minute while the page is visible, when
 * the window regains focus and after a decision anywhere in the page.
 */
export function InboxBadge() {
  const { user } = useAuth();
  const { app } = useParams();
  const { t } = useI18n();
  const [counts, setCounts] = useState<InboxCounts>();

  const refresh = useCallback(() => {
    if (document.visibilityState === 'hidden') return;
    listTasks({ limit: 1 }).then(
      (p) => setCounts(p.counts),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    if (!user) return;
    refresh();
    const timer = window.setInterval(refresh, POLL_MS);
    const off = onTasksChanged(refresh);
    window.addEventListener('focus', refresh);
    return () => {
      window.clearInterval(timer);
      off();
      window.removeEventListener('focus', refresh);
    };
  }, [user, refresh]);

  if (!user) return null;
  const pending = counts?.pending ?? 0;
  const overdue = counts?.overdue ?? 0;
  const tip = counts ? t('inbox.badgeTip', { pending, overdue }) : t('inbox.title');
  return (
    <Tooltip title={tip}>
      <Link to={inboxPath(app)} aria-label={`${t('inbox.title')} ${badgeText(counts)}`.trim()} data-testid="inbox-link">
        <Badge count={pending} size="small" color={overdue > 0 || pending === 0 ? undefined : '#1677ff'} data-testid="inbox-badge" data-count={pending}>
          <Button type="text" icon={<BellOutlined />} tabIndex={-1} />
        </Badge>
      </Link>
    </Tooltip>
  );
}
