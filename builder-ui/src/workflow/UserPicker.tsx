import { Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { User } from '../api/types';
import { useAuth } from '../auth/useAuth';
import { useI18n } from '../i18n/useI18n';

interface Props {
  /** People the workflow already names (submitter, approvers). */
  people: { id: string; name: string }[];
  value?: string;
  onChange?: (id: string | undefined) => void;
}

/** Users whose name or username contains q (the users API is for administrators). */
async function searchUsers(q: string, signal: AbortSignal): Promise<User[]> {
  const filter = q ? JSON.stringify({ $or: [{ username: { $contains: q } }, { displayName: { $contains: q } }] }) : undefined;
  const page = await api.get<{ items: User[] }>('/api/users', { query: { limit: 20, filter }, signal });
  return page.items;
}

/**
 * Picks the user to delegate to or add as a signer. Administrators search
 * every user; everyone else chooses among the people the workflow names,
 * since only administrators may list users.
 */
export function UserPicker({ people, value, onChange }: Props) {
  const { t } = useI18n();
  const { user } = useAuth();
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<User[]>([]);

  useEffect(() => {
    if (!user?.admin) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      searchUsers(search.trim(), ctl.signal).then(setFound, () => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [search, user?.admin]);

  const options = useMemo(() => {
    const out = new Map<string, string>();
    for (const p of people) if (p.id !== user?.id) out.set(p.id, p.name);
    for (const u of found) if (u.id !== user?.id && !out.has(u.id)) out.set(u.id, `${u.displayName || u.username} (${u.username})`);
    return [...out].map(([id, label]) => ({ value: id, label }));
  }, [people, found, user?.id]);

  return (
    <Select
      value={value}
      onChange={onChange}
      options={options}
      showSearch
      filterOption={user?.admin ? false : undefined}
      optionFilterProp="label"
      onSearch={user?.admin ? setSearch : undefined}
      placeholder={t('workflow.pickUser')}
      notFoundContent={user?.admin ? undefined : t('workflow.noPeople')}
      data-testid="user-picker"
      style={{ width: '100%' }}
    />
  );
}
