import { api } from './client';
import type { BulkItemResult, BulkOp, FileRef, FilterJson, ImportProgress, ImportResult, RecordDoc, RecordPage, Revision } from './formTypes';
import { ApiError, NETWORK_ERROR, problemError } from './problem';

const seg = encodeURIComponent;

/** The records collection of a form. */
export function recordsPath(app: string, form: string): string {
  return `/api/apps/${seg(app)}/forms/${seg(form)}/records`;
}

/** What a list asks for (GET .../records). */
export interface ListParams {
  filter?: FilterJson;
  sort?: string;
  limit?: number;
  cursor?: string;
  view?: string;
  q?: string;
  deleted?: boolean;
}

function listQuery(p: ListParams): Record<string, string | number | undefined> {
  return {
    filter: p.filter && Object.keys(p.filter).length > 0 ? JSON.stringify(p.filter) : undefined,
    sort: p.sort || undefined,
    limit: p.limit,
    cursor: p.cursor || undefined,
    view: p.view || undefined,
    q: p.q?.trim() || undefined,
    deleted: p.deleted ? 'true' : undefined,
  };
}

/** One page of the records the caller may read. */
export function listRecords(app: string, form: string, p: ListParams = {}, signal?: AbortSignal): Promise<RecordPage> {
  const options: Parameters<typeof api.get>[1] = { query: listQuery(p) };
  if (signal) options.signal = signal;
  return api.get<RecordPage>(recordsPath(app, form), options);
}

export function getRecord(app: string, form: string, id: string): Promise<RecordDoc> {
  return api.get<RecordDoc>(`${recordsPath(app, form)}/${seg(id)}`);
}

export function createRecord(app: string, form: string, data: Record<string, unknown>, idempotencyKey?: string): Promise<RecordDoc> {
  return api.post<RecordDoc>(recordsPath(app, form), data, idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {});
}

/** A JSON merge patch based on version (412 record.stale when someone changed it since). */
export function patchRecord(app: string, form: string, id: string, patch: Record<string, unknown>, version: number): Promise<RecordDoc> {
  return api.request<RecordDoc>(`${recordsPath(app, form)}/${seg(id)}`, {
    method: 'PATCH',
    body: patch,
    headers: { 'If-Match': String(version) },
  });
}

export function deleteRecord(app: string, form: string, id: string): Promise<void> {
  return api.request<void>(`${recordsPath(app, form)}/${seg(id)}`, { method: 'DELETE' });
}

/** Brings a deleted record back. */
export function restoreRecord(app: string, form: string, id: string): Promise<RecordDoc> {
  return api.post<RecordDoc>(`${recordsPath(app, form)}/${seg(id)}/restore`);
}

export function recordHistory(app: string, form: string, id: string): Promise<Revision[]> {
  return api.get<Revision[]>(`${recordsPath(app, form)}/${seg(id)}/history`);
}

/** Sets a record back to the values of revision rev, as a new revision. */
export function restoreRevision(app: string, form: string, id: string, rev: number): Promise<RecordDoc> {
  return api.post<RecordDoc>(`${recordsPath(app, form)}/${seg(id)}/history/${rev}/restore`);
}

/** Up to 1000 creates, updates and deletes, each with its own outcome. */
export async function bulkRecords(app: string, form: string, items: BulkOp[]): Promise<BulkItemResult[]> {
  const res = await api.post<{ items: BulkItemResult[] }>(`${recordsPath(app, form)}/bulk`, { items });
  return res.items;
}

/** The export's address: a GET the browser downloads with the session cookie. */
export function exportUrl(app: string, form: string, format: 'csv' | 'xlsx', p: ListParams & { lang?: string; fields?: string[] }): string {
  const params = new URLSearchParams({ format });
  const q = listQuery(p);
  for (const k of ['filter', 'sort', 'view', 'q'] as const) {
    const v = q[k];
    if (v !== undefined) params.set(k, String(v));
  }
  if (p.lang) params.set('lang', p.lang);
  if (p.fields?.length) params.set('fields', p.fields.join(','));
  return `/api/apps/${seg(app)}/forms/${seg(form)}/export?${params.toString()}`;
}

/** Options of an import (POST .../import). */
export interface ImportOptions {
  dryRun?: boolean;
  mode?: 'all' | 'skip';
  upsertBy?: string;
  /** Column header -> field key; "" ignores the column. */
  mapping?: Record<string, string>;
}

function importQuery(o: ImportOptions): string {
  const params = new URLSearchParams();
  if (o.dryRun) params.set('dryRun', 'true');
  if (o.mode) params.set('mode', o.mode);
  if (o.upsertBy) params.set('upsertBy', o.upsertBy);
  if (o.mapping && Object.keys(o.mapping).length > 0) params.set('mapping', JSON.stringify(o.mapping));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The Content-Type of an import file: .xlsx by name or type, CSV otherwise. */
export function importContentType(file: { name: string; type: string }): string {
  return file.type === XLSX || /\.xlsx$/i.test(file.name) ? XLSX : 'text/csv';
}

/** Runs an import (or its dry run) and returns the result in one answer. */
export function importRecords(app: string, form: string, file: Blob & { name: string }, o: ImportOptions): Promise<ImportResult> {
  return api.request<ImportResult>(`/api/apps/${seg(app)}/forms/${seg(form)}/import${importQuery(o)}`, {
    method: 'POST',
    body: file,
    rawType: importContentType(file),
  });
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits a text/event-stream buffer into complete events and the rest. */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/**
 * Runs an import with progress events (Accept: text/event-stream): onProgress
 * gets each "progress" event; the promise ends with the "done" result, or
 * fails with the "error" problem.
 */
export async function importWithProgress(
  app: string,
  form: string,
  file: Blob & { name: string },
  o: ImportOptions,
  onProgress: (p: ImportProgress) => void,
): Promise<ImportResult> {
  const headers: Record<string, string> = { Accept: 'text/event-stream', 'Content-Type': importContentType(file) };
  const csrf = api.csrfToken();
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const lang = api.language();
  if (lang) headers['Accept-Language'] = lang;
  let res: Response;
  try {
    res = await fetch(`/api/apps/${seg(app)}/forms/${seg(form)}/import${importQuery(o)}`, { method: 'POST', body: file, headers, credentials: 'include' });
  } catch (e) {
    throw new ApiError(0, NETWORK_ERROR, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    throw problemError(res.status, body);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let failure: ApiError | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    const { events, rest } = parseSse(buffer);
    buffer = rest;
    for (const ev of events) {
      const data = JSON.parse(ev.data) as unknown;
      if (ev.event === 'progress') onProgress(data as ImportProgress);
      else if (ev.event === 'error') failure = problemError(500, data);
      else if (ev.event === 'done') {
        if (failure) throw failure;
        return data as ImportResult;
      }
    }
    if (done) break;
  }
  throw failure ?? new ApiError(0, NETWORK_ERROR, 'the import stream ended early');
}

/**
 * Uploads a file for an attachment or image field with XMLHttpRequest,
 * which (unlike fetch) reports upload progress.
 */
export function uploadFile(
  app: string,
  form: string,
  field: string,
  file: File,
  onProgress: (percent: number) => void,
  signal?: AbortSignal,
): Promise<FileRef> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/apps/${seg(app)}/forms/${seg(form)}/files?field=${seg(field)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = api.csrfToken();
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    const lang = api.language();
    if (lang) xhr.setRequestHeader('Accept-Language', lang);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as FileRef);
      else reject(problemError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, NETWORK_ERROR, 'upload failed'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    const body = new FormData();
    body.append('file', file, file.name);
    xhr.send(body);
  });
}

/** The address of a stored file (images are shown inline, others downloaded). */
export function fileUrl(app: string, id: string): string {
  return `/api/apps/${seg(app)}/files/${seg(id)}`;
}
