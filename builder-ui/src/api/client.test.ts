import { describe, expect, it, vi } from 'vitest';
import { ApiClient, CSRF_HEADER, readCookie } from './client';
import { ApiError, NETWORK_ERROR, problemError } from './problem';

type Call = { url: string; init: RequestInit };

function fakeFetch(res: () => Response) {
  const calls: Call[] = [];
  const f = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return res();
  });
  return { f: f as unknown as typeof fetch, calls };
}

function problem(status: number, body: object, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });
}

const headersOf = (c: Call | undefined) => (c?.init.headers ?? {}) as Record<string, string>;

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('a=1; tangram_csrf=x%2By; b=2', 'tangram_csrf')).toBe('x+y');
    expect(readCookie('tangram_csrf_old=1', 'tangram_csrf')).toBeUndefined();
    expect(readCookie('', 'tangram_csrf')).toBeUndefined();
  });
});

describe('ApiClient', () => {
  it('sends cookies and the CSRF header on writes only', async () => {
    const { f, calls } = fakeFetch(() => new Response('{}', { status: 200 }));
    const c = new ApiClient({ fetch: f, cookies: () => 'other=1; tangram_csrf=tok123' });
    await c.get('/api/apps');
    await c.post('/api/auth/password', { oldPassword: 'a', newPassword: 'b' });
    await c.request('/api/x', { method: 'DELETE' });
    expect(calls.map((x) => x.init.credentials)).toEqual(['include', 'include', 'include']);
    expect(headersOf(calls[0])[CSRF_HEADER]).toBeUndefined();
    expect(headersOf(calls[1])[CSRF_HEADER]).toBe('tok123');
    expect(headersOf(calls[1])['Content-Type']).toBe('application/json');
    expect(calls[1]?.init.body).toBe('{"oldPassword":"a","newPassword":"b"}');
    expect(headersOf(calls[2])[CSRF_HEADER]).toBe('tok123');
  });

  it('omits the CSRF header when there is no cookie', async () => {
    const { f, calls } = fakeFetch(() => new Response('{}', { status: 200 }));
    await new ApiClient({ fetch: f, cookies: () => '' }).post('/api/auth/login', {});
    expect(headersOf(calls[0])[CSRF_HEADER]).toBeUndefined();
  });

  it('adds query parameters, leaving out undefined ones', async () => {
    const { f, calls } = fakeFetch(() => new Response('[]', { status: 200 }));
    await new ApiClient({ fetch: f, cookies: () => '' }).get('/api/x', { query: { limit: 10, cursor: undefined, q: 'a b' } });
    expect(calls[0]?.url).toBe('/api/x?limit=10&q=a+b');
  });

  it('returns undefined for 204', async () => {
    const { f } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(new ApiClient({ fetch: f, cookies: () => '' }).post('/api/auth/logout')).resolves.toBeUndefined();
  });

  it('parses problem+json into an ApiError with field errors', async () => {
    const { f } = fakeFetch(() =>
      problem(422, {
        type: 'https://tangram.dev/problems/auth.weak_password',
        title: 'Unprocessable Entity',
        status: 422,
        detail: 'the password does not meet the password policy',
        code: 'auth.weak_password',
        errors: [
          { path: 'newPassword', code: 'password.too_short', message: 'must be at least 10 characters' },
          { path: 'newPassword', code: 'password.classes', message: 'must use three classes' },
          { bogus: true },
        ],
      }),
    );
    const err = await new ApiClient({ fetch: f, cookies: () => '' }).post('/api/auth/password', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(422);
    expect(e.code).toBe('auth.weak_password');
    expect(e.message).toBe('the password does not meet the password policy');
    expect(e.fieldErrors).toHaveLength(2);
    expect(e.byField().newPassword?.map((x) => x.code)).toEqual(['password.too_short', 'password.classes']);
  });

  it('reads Retry-After on 429', async () => {
    const { f } = fakeFetch(() => problem(429, { code: 'auth.rate_limited', status: 429, title: 'Too Many Requests' }, { 'Retry-After': '60' }));
    const e = (await new ApiClient({ fetch: f, cookies: () => '' }).post('/api/auth/login', {}).catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe('auth.rate_limited');
    expect(e.retryAfter).toBe(60);
  });

  it('gives a status code for bodies that are not problems', async () => {
    const { f } = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    const e = (await new ApiClient({ fetch: f, cookies: () => '' }).get('/api/apps').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(502);
    expect(e.code).toBe('http.502');
  });

  it('turns a network failure into a coded error', async () => {
    const f = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const e = (await new ApiClient({ fetch: f, cookies: () => '' }).get('/api/apps').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(0);
    expect(e.code).toBe(NETWORK_ERROR);
  });

  it('reports 401 to the session handler unless the call opts out', async () => {
    const { f } = fakeFetch(() => problem(401, { code: 'auth.unauthenticated', status: 401 }));
    const ended = vi.fn();
    const c = new ApiClient({ fetch: f, cookies: () => '', onUnauthorized: ended });
    await expect(c.get('/api/apps')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledTimes(1);
    await expect(c.post('/api/auth/login', {}, { unauthorizedEndsSession: false })).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledTimes(1);
  });
});

describe('problemError', () => {
  it('keeps the request id and the detail', () => {
    const e = problemError(500, { code: 'internal', detail: 'an internal error occurred', requestId: 'r-1', status: 500, title: 'x' });
    expect(e.problem?.requestId).toBe('r-1');
    expect(e.message).toBe('an internal error occurred');
  });
});
