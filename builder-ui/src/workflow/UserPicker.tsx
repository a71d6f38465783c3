import { Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useAuth } from '../auth/useAuth';
import { searchDirectory, userLabel, type DirectoryUser } from '../extensions/fieldTypes/userDirectory';
import { useI18n } from '../i18n/useI18n';

interface Props {
  /** People the workflow already names (submitter, approvers). */
  people: { id: string; name: string }[];
  value?: string;
  onChange?: (id: string | undefined) => void;
}

/**
 * Picks the user to delegate to or add as a signer: the people the
 * workflow names, then colleagues found in the user directory (everyone
 * for an administrator, else the reader's units and the units below).
 */
export function UserPicker({ people, value, onChange }: Props) {
  const { t } = useI18n();
  const { user } = useAuth();
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<DirectoryUser[]>([]);

  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      searchDirectory(search, ctl.signal).then(setFound, () => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [search]);

  const options = useMemo(() => {
    const out = new Map<string, string>();
    for (const p of people) if (p.id !== user?.id) out.set(p.id, p.name);
    for (const u of found) if (u.id !== user?.id && !out.has(u.id)) out.set(u.id, `${userLabel(u, u.id)} (${u.username})`);
    return [...out].map(([id, label]) => ({ value: id, label }));
  }, [people, found, user?.id]);

  return (
    <Select
      value={value}
      onChange={onChange}
      options={options}
      showSearch
      filterOption={false}
      onSearch={setSearch}
      placeholder={t('workflow.pickUser')}
      notFoundContent={t('workflow.noPeople')}
      data-testid="user-picker"
      style={{ width: '100%' }}
    />
  );
}
