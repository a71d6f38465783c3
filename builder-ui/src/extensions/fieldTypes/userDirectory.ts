import { api, type ApiClient } from '../../api/client';
import { BatchLoader } from '../../records/batchLoader';

/** A colleague as GET /api/users/directory shows them: no account details. */
export interface DirectoryUser {
  id: string;
  username: string;
  displayName: string;
  /** The user's units that the reader can see. */
  unitIds: string[];
}

interface DirectoryPage {
  items: DirectoryUser[];
  next?: string;
}

/** The server's bounds (auth.DirectoryMaxIDs, auth.DirectoryMaxQuery). */
export const DIRECTORY_MAX_IDS = 100;
export const DIRECTORY_MAX_QUERY = 64;

/** How many matches a picker shows at once. */
export const PICKER_PAGE = 20;

/**
 * Colleagues whose username (often the phone number) or display name starts
 * with q, among those the reader may see: everyone for an admin, else the
 * members of the reader's units and the units below them.
 */
export async function searchDirectory(q: string, signal?: AbortSignal, client: ApiClient = api): Promise<DirectoryUser[]> {
  const prefix = [...q.trim()].slice(0, DIRECTORY_MAX_QUERY).join('');
  const page = await client.get<DirectoryPage>('/api/users/directory', {
    query: { q: prefix || undefined, limit: PICKER_PAGE },
    signal,
  });
  return page.items;
}

/** A loader of directory entries by id, one request per hundred ids. */
export function newDirectoryLoader(client: ApiClient = api): BatchLoader<DirectoryUser> {
  return new BatchLoader<DirectoryUser>(async (ids) => {
    const page = await client.get<DirectoryPage>('/api/users/directory', {
      query: { ids: ids.join(','), limit: ids.length },
    });
    return new Map(page.items.map((u) => [u.id, u]));
  }, DIRECTORY_MAX_IDS);
}

/** Labels of ids already in records (users the reader cannot see stay ids). */
export const directoryLoader = newDirectoryLoader();

/** The name a user is shown by: display name, else username, else the id. */
export function userLabel(u: { displayName?: string; username?: string } | undefined, id: string): string {
  return u ? u.displayName || u.username || id : id;
}

/**
 * A picker's options: the chosen ids first (so they keep their labels),
 * then the reader marked as "me", then the search's matches; each id once.
 */
export function pickerOptions(
  chosen: readonly string[],
  known: ReadonlyMap<string, { displayName?: string; username?: string }>,
  me: { id: string; displayName?: string; username?: string } | undefined,
  meSuffix: string,
  matches: readonly DirectoryUser[],
): { value: string; label: string }[] {
  const out = new Map<string, string>();
  for (const id of chosen) out.set(id, userLabel(id === me?.id ? me : known.get(id), id));
  if (me) out.set(me.id, `${userLabel(me, me.id)} (${meSuffix})`);
  for (const u of matches) if (!out.has(u.id)) out.set(u.id, userLabel(u, u.id));
  return [...out].map(([value, label]) => ({ value, label }));
}
