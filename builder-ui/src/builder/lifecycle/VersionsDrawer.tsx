import { Button, Drawer, List, Popconfirm, Spin, Tag, Typography } from 'antd';
import type { Definition } from '../../api/types';
import { useAuth } from '../../auth/useAuth';
import { formatDateTime } from '../../format/date';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import { userLoader } from '../../records/resolve';
import { useLoaded } from '../../records/useLoaded';
import { listVersions } from '../api';
import type { Designer } from './useDesigner';

const statusColor = { draft: 'gold', published: 'green', superseded: 'default' } as const;

/** Every revision with its author and time; an older one can be published again (rollback). */
export function VersionsDrawer<S>({ open, onClose, d }: { open: boolean; onClose: () => void; d: Designer<S> }) {
  const { t, locale } = useI18n();
  const { user } = useAuth();
  const { data, loading } = useAsync(() => (open ? listVersions<S>(d.app, d.kind, d.key) : Promise.resolve([] as Definition<S>[])), [open, d.latest.version]);
  const authors = [...new Set((data ?? []).map((v) => v.updatedBy).filter((u): u is string => !!u))];
  // Only administrators may read other users; everyone else sees ids.
  const names = useLoaded(user?.admin ? userLoader : undefined, authors);
  const who = (id: string | undefined) => {
    if (!id) return '';
    if (id === user?.id) return user.displayName || user.username;
    const u = names.get(id);
    return u ? u.displayName || u.username : id;
  };
  return (
    <Drawer open={open} onClose={onClose} width="min(520px, 100vw)" title={t('builder.versions')}>
      {loading && !data ? (
        <Spin />
      ) : (
        <List
          data-testid="versions-list"
          dataSource={data ?? []}
          renderItem={(v) => (
            <List.Item
              data-testid={`version-${v.version}`}
              actions={
                v.version !== d.latest.version && v.status !== 'draft'
                  ? [
                      <Popconfirm key="rb" title={t('builder.rollbackConfirm', { version: v.version })} onConfirm={() => void d.rollback(v.version).then((ok) => ok && onClose())}>
                        <Button size="small" data-testid={`rollback-${v.version}`} disabled={d.dirty}>
                          {t('builder.rollback')}
                        </Button>
                      </Popconfirm>,
                    ]
                  : []
              }
            >
              <List.Item.Meta
                title={
                  <span>
                    v{v.version} <Tag color={statusColor[v.status]}>{t(`status.${v.status}`)}</Tag>
                  </span>
                }
                description={
                  <Typography.Text type="secondary">
                    {t('builder.versionBy', { who: who(v.updatedBy), at: formatDateTime(v.updatedAt, locale) })}
                    {v.publishedAt ? ` · ${t('builder.publishedAt', { at: formatDateTime(v.publishedAt, locale) })}` : ''}
                  </Typography.Text>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Drawer>
  );
}
