import { Select, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { useAuth } from '../../auth/useAuth';
import { useI18n } from '../../i18n/useI18n';
import { userLoader } from '../../records/resolve';
import { idsOf, useLoaded } from '../../records/useLoaded';
import { Empty, idType, usePlaceholder } from './shared';
import type { DisplayProps, InputProps } from './types';

function userLabel(u: User | undefined, id: string): string {
  return u ? u.displayName || u.username : id;
}

/**
 * Picks users. Only administrators may list users (GET /api/users), so
 * everyone else is offered themselves, which covers the usual "assign to
 * me"; ids already in the record stay as they are.
 */
function UserField({ field, value, onChange, disabled, id }: InputProps) {
  const { t } = useI18n();
  const { user } = useAuth();
  const placeholder = usePlaceholder(field);
  const multiple = field.multiple === true;
  const ids = idsOf(value);
  const known = useLoaded(userLoader, ids);
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<User[]>([]);

  useEffect(() => {
    if (!open || !user?.admin) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      const q = search.trim();
      const filter = q ? JSON.stringify({ $or: [{ username: { $contains: q } }, { displayName: { $contains: q } }] }) : undefined;
      api.get<{ items: User[] }>('/api/users', { query: { limit: 20, filter }, signal: ctl.signal }).then(
        (p) => setResults(p.items),
        () => undefined,
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [open, search, user?.admin]);

  const options = useMemo(() => {
    const out = new Map<string, string>();
    for (const uid of ids) out.set(uid, uid === user?.id ? userLabel(user, uid) : userLabel(known.get(uid), uid));
    if (user) out.set(user.id, `${userLabel(user, user.id)} (${t('field.me')})`);
    for (const u of results) if (!out.has(u.id)) out.set(u.id, userLabel(u, u.id));
    return [...out].map(([value, label]) => ({ value, label }));
  }, [ids, known, results, user, t]);

  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={multiple ? ids : ids[0]}
      onChange={(v) => onChange(v ?? null)}
      disabled={disabled}
      placeholder={placeholder}
      options={options}
      showSearch
      filterOption={user?.admin ? false : undefined}
      optionFilterProp="label"
      onSearch={user?.admin ? setSearch : undefined}
      onOpenChange={setOpen}
      allowClear
      style={{ width: '100%' }}
    />
  );
}

function UserDisplay({ value }: DisplayProps) {
  const { user } = useAuth();
  const ids = idsOf(value);
  const known = useLoaded(userLoader, ids.filter((x) => x !== user?.id));
  if (ids.length === 0) return <Empty />;
  return (
    <Space size={4} wrap>
      {ids.map((uid) => (
        <span key={uid}>{uid === user?.id ? userLabel(user, uid) : userLabel(known.get(uid), uid)}</span>
      ))}
    </Space>
  );
}

/** user: ids of platform users. */
export const user = idType('user', UserField, UserDisplay);
