import { Select, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useAuth } from '../../auth/useAuth';
import { useI18n } from '../../i18n/useI18n';
import { userLoader } from '../../records/resolve';
import { idsOf, useLoaded } from '../../records/useLoaded';
import { Empty, idType, usePlaceholder } from './shared';
import type { DisplayProps, InputProps } from './types';
import { directoryLoader, pickerOptions, searchDirectory, userLabel, type DirectoryUser } from './userDirectory';

type Named = { displayName?: string; username?: string };

/**
 * Where names of chosen users come from: an admin reads any user (disabled
 * ones too, as old records name them); everyone else reads the directory,
 * which names the colleagues they may see.
 */
function useNames(ids: string[]): ReadonlyMap<string, Named> {
  const { user } = useAuth();
  const others = ids.filter((x) => x !== user?.id);
  const admin = user?.admin === true;
  const asAdmin = useLoaded(admin ? userLoader : undefined, others);
  const asColleague = useLoaded(admin ? undefined : directoryLoader, others);
  return admin ? asAdmin : asColleague;
}

/**
 * Picks users from the directory (GET /api/users/directory): an admin
 * searches everyone, a store manager their store's staff, a region lead
 * the stores below. The search is a prefix of the name or the username
 * (often the phone number), asked of the server as the user types.
 */
function UserField({ field, value, onChange, disabled, id }: InputProps) {
  const { t } = useI18n();
  const { user } = useAuth();
  const placeholder = usePlaceholder(field);
  const multiple = field.multiple === true;
  const ids = idsOf(value);
  const known = useNames(ids);
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<DirectoryUser[]>([]);

  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      searchDirectory(search, ctl.signal).then(
        (items) => {
          for (const u of items) directoryLoader.prime(u.id, u);
          setResults(items);
        },
        () => undefined,
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [open, search]);

  const options = useMemo(() => pickerOptions(ids, known, user ?? undefined, t('field.me'), results), [ids, known, results, user, t]);

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
      filterOption={false}
      onSearch={setSearch}
      onOpenChange={setOpen}
      allowClear
      style={{ width: '100%' }}
    />
  );
}

function UserDisplay({ value }: DisplayProps) {
  const { user } = useAuth();
  const ids = idsOf(value);
  const known = useNames(ids);
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
