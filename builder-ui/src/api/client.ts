import { loadLocale } from '../i18n/locale';
import { parseExactJson } from './exactJson';
import { ApiError, BAD_RESPONSE, NETWORK_ERROR, parseRetryAfter, problemError } from './problem';

/** The cookie the server sets at sign-in; writes echo it in X-CSRF-Token. */
export const CSRF_COOKIE = 'tangram_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** Reads a cookie's value from a Cookie-style string ("a=1; b=2"). */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return undefined;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /**
   * Whether a 401 answer ends the session in the UI (the default). The
   * sign-in call and the session probe at start-up turn it off.
   */
  unauthorizedEndsSession?: boolean;
  /** The Content-Type of body when it is sent as is (a Blob), not as JSON. */
  rawType?: string;
}

export interface ClientConfig {
  /** Prefix of every path; empty for the same origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** The page's cookies; document.cookie in the browser. */
  cookies?: () => string;
  /** Called when an authenticated call answers 401. */
  onUnauthorized?: (error: ApiError) => void;
  /** The language of the server's messages (Accept-Language). */
  language?: () => string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A small fetch wrapper: cookies, CSRF header on writes, problem+json errors. */
export class ApiClient {
  private config: ClientConfig;

  constructor(config: ClientConfig = {}) {
    this.config = config;
  }

  /** Sets or replaces the handler for 401 answers. */
  onUnauthorized(handler: ((error: ApiError) => void) | undefined): void {
    this.config = { ...this.config, onUnauthorized: handler };
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    const language = this.config.language?.();
    if (language && !headers['Accept-Language']) headers['Accept-Language'] = language;
    let body: BodyInit | undefined;
    if (options.rawType !== undefined) {
      headers['Content-Type'] = options.rawType;
      body = options.body as BodyInit;
    } else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (WRITE_METHODS.has(method)) {
      const token = readCookie(this.cookies(), CSRF_COOKIE);
      if (token) headers[CSRF_HEADER] = token;
    }
    const doFetch = this.config.fetch ?? fetch;
    let res: Response;
    try {
      const init: RequestInit = { method, headers, credentials: 'include' };
      if (body !== undefined) init.body = body;
      if (options.signal) init.signal = options.signal;
      res = await doFetch(this.url(path, options.query), init);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, NETWORK_ERROR, e instanceof Error ? e.message : String(e));
    }
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      try {
        // Decimals stay exact: they come back as text, never as floats.
        return parseExactJson(await res.text()) as T;
      } catch {
        throw new ApiError(res.status, BAD_RESPONSE, 'the answer is not JSON');
      }
    }
    const err = problemError(res.status, await bodyOf(res), parseRetryAfter(res.headers.get('Retry-After')));
    if (res.status === 401 && options.unauthorizedEndsSession !== false) {
      this.config.onUnauthorized?.(err);
    }
    throw err;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'GET' });
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'POST', body });
  }

  /** The CSRF token for writes the client does not send itself (uploads with progress). */
  csrfToken(): string | undefined {
    return readCookie(this.cookies(), CSRF_COOKIE);
  }

  /** The Accept-Language the client sends. */
  language(): string | undefined {
    return this.config.language?.();
  }

  private cookies(): string {
    if (this.config.cookies) return this.config.cookies();
    return typeof document === 'undefined' ? '' : document.cookie;
  }

  private url(path: string, query: RequestOptions['query']): string {
    let url = (this.config.baseUrl ?? '') + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined) params.set(k, String(v));
      }
      const qs = params.toString();
      if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    }
    return url;
  }
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The client the UI uses: same origin, the page's cookies, the chosen language. */
export const api = new ApiClient({ language: () => loadLocale() });
