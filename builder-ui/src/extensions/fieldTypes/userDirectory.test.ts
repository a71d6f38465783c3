import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { DIRECTORY_MAX_IDS, newDirectoryLoader, pickerOptions, searchDirectory, type DirectoryUser } from './userDirectory';

/** A client whose server answers from a fixed directory and records the URLs asked. */
function fakeServer(users: DirectoryUser[]) {
  const urls: URL[] = [];
  const client = new ApiClient({
    baseUrl: 'http://tangram.test',
    fetch: async (input) => {
      const url = new URL(String(input));
      urls.push(url);
      const q = url.searchParams.get('q') ?? '';
      const ids = url.searchParams.get('ids')?.split(',');
      const items = users.filter(
        (u) => (!ids || ids.includes(u.id)) && (u.username.startsWith(q.toLowerCase()) || u.displayName.startsWith(q)),
      );
      return new Response(JSON.stringify({ items: items.slice(0, Number(url.searchParams.get('limit'))) }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  });
  return { client, urls };
}

const wang: DirectoryUser = { id: 'u1', username: '13800001111', displayName: '王小明', unitIds: ['s1'] };
const li: DirectoryUser = { id: 'u2', username: 'li.lei', displayName: '李雷', unitIds: ['s1'] };
const han: DirectoryUser = { id: 'u3', username: 'han.mei', displayName: '', unitIds: ['s1'] };
const staff = [wang, li, han];

/** Parameter name of the i-th URL asked. */
function param(urls: URL[], i: number, name: string): string | null | undefined {
  return urls[i]?.searchParams.get(name);
}

describe('user directory', () => {
  it('searches by prefix on the server, bounded', async () => {
    const { client, urls } = fakeServer(staff);
    expect((await searchDirectory(' 李', undefined, client)).map((u) => u.id)).toEqual(['u2']);
    expect(urls[0]?.pathname).toBe('/api/users/directory');
    expect(param(urls, 0, 'q')).toBe('李');
    expect(param(urls, 0, 'limit')).toBe('20');
    // An empty search lists the first page; a long one is cut to the server's bound.
    await searchDirectory('   ', undefined, client);
    expect(param(urls, 1, 'q')).toBeNull();
    await searchDirectory('9'.repeat(80), undefined, client);
    expect(param(urls, 2, 'q')).toHaveLength(64);
  });

  it('labels chosen ids in one request per hundred', async () => {
    const { client, urls } = fakeServer(staff);
    const loader = newDirectoryLoader(client);
    const ids = ['u1', 'u3', 'ghost', ...Array.from({ length: DIRECTORY_MAX_IDS }, (_, i) => `x${i}`)];
    const got = await Promise.all(ids.map((id) => loader.load(id)));
    expect(got[0]?.displayName).toBe('王小明');
    expect(got[1]?.username).toBe('han.mei');
    expect(got[2]).toBeUndefined(); // not visible, or no such user: stays an id
    expect(urls).toHaveLength(2);
    expect(param(urls, 0, 'ids')?.split(',')).toHaveLength(DIRECTORY_MAX_IDS);
    expect(param(urls, 0, 'limit')).toBe(String(DIRECTORY_MAX_IDS));
    await loader.load('u1'); // cached
    expect(urls).toHaveLength(2);
  });

  it('builds options: chosen first, me marked, matches once', () => {
    const known = new Map([['u2', li]]);
    const opts = pickerOptions(['u2', 'gone', 'me'], known, { id: 'me', displayName: '店长' }, '我', staff);
    expect(opts).toEqual([
      { value: 'u2', label: '李雷' },
      { value: 'gone', label: 'gone' },
      { value: 'me', label: '店长 (我)' },
      { value: 'u1', label: '王小明' },
      { value: 'u3', label: 'han.mei' },
    ]);
  });
});
