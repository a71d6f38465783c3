/** A field-level validation error: a JSON path into the request body. */
export interface FieldError {
  path: string;
  code?: string;
  message: string;
}

/** The body of an application/problem+json answer (RFC 9457). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
}

/** Thrown for every answer that is not 2xx, and for network failures. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldError[];
  /** Seconds from a Retry-After header (429, 503), when the server sent one. */
  readonly retryAfter: number | undefined;
  readonly problem: Problem | undefined;

  constructor(status: number, code: string, message: string, fieldErrors: FieldError[] = [], retryAfter?: number, problem?: Problem) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.retryAfter = retryAfter;
    this.problem = problem;
  }

  /** The field errors grouped by path, for forms to put at the right field. */
  byField(): Record<string, FieldError[]> {
    const out: Record<string, FieldError[]> = {};
    for (const fe of this.fieldErrors) {
      (out[fe.path] ??= []).push(fe);
    }
    return out;
  }
}

/** The code used when the network or the server failed without a problem body. */
export const NETWORK_ERROR = 'client.network';
export const BAD_RESPONSE = 'client.bad_response';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldErrorsOf(v: unknown): FieldError[] {
  if (!Array.isArray(v)) return [];
  const out: FieldError[] = [];
  for (const e of v) {
    if (isRecord(e) && typeof e.path === 'string') {
      const fe: FieldError = { path: e.path, message: typeof e.message === 'string' ? e.message : '' };
      if (typeof e.code === 'string') fe.code = e.code;
      out.push(fe);
    }
  }
  return out;
}

/** Parses a Retry-After header given in seconds (HTTP dates are not used by the server). */
export function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const n = Number(header.trim());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Turns a failed response body into an ApiError. Bodies that are not
 * problem+json (a proxy's HTML page, say) still give a status-based code.
 */
export function problemError(status: number, body: unknown, retryAfter?: number): ApiError {
  if (isRecord(body) && typeof body.code === 'string') {
    const problem: Problem = {
      type: typeof body.type === 'string' ? body.type : '',
      title: typeof body.title === 'string' ? body.title : '',
      status: typeof body.status === 'number' ? body.status : status,
      code: body.code,
      errors: fieldErrorsOf(body.errors),
    };
    if (typeof body.detail === 'string') problem.detail = body.detail;
    if (typeof body.requestId === 'string') problem.requestId = body.requestId;
    const message = problem.detail ?? problem.title ?? problem.code;
    return new ApiError(status, problem.code, message, problem.errors, retryAfter, problem);
  }
  return new ApiError(status, `http.${status}`, `HTTP ${status}`, [], retryAfter);
}
