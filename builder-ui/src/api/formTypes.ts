import type { LocalizedText } from './types';

/** A record filter in the server's query language (engine/query). */
export type FilterJson = Record<string, unknown>;

/** One choice of a select or multiselect field. */
export interface FieldOption {
  value: string;
  label: LocalizedText;
  color?: string;
}

/**
 * One field of a form definition (engine/meta/schemas/form.json). Settings
 * specific to the type (min, precision, form, accept...) sit on the field
 * object itself.
 */
export interface FieldDef {
  key: string;
  type: string;
  label: LocalizedText;
  description?: LocalizedText;
  placeholder?: LocalizedText;
  required?: boolean;
  unique?: boolean;
  readOnly?: boolean;
  hidden?: boolean;
  default?: unknown;
  visibleWhen?: FilterJson;
  requiredWhen?: FilterJson;
  options?: FieldOption[];
  /** Columns of a sub-table. */
  fields?: FieldDef[];
  [setting: string]: unknown;
}

/** A section of a form's layout. */
export interface FormSection {
  title?: LocalizedText;
  columns?: number;
  collapsed?: boolean;
  fields: string[];
}

/** The spec of a form definition. */
export interface FormSpec {
  title: LocalizedText;
  description?: LocalizedText;
  icon?: string;
  titleField?: string;
  fields: FieldDef[];
  layout?: { sections?: FormSection[] };
}

/** One column of a view. */
export interface ViewColumn {
  /** A field key, a sub-path (home.province) or a path through relations (member.name). */
  field: string;
  label?: LocalizedText;
  width?: number;
  fixed?: 'left' | 'right';
}

/** The layouts a list can take. */
export type ViewType = 'table' | 'kanban' | 'calendar' | 'gallery';

/** The spec of a view definition (engine/meta/schemas/view.json). */
export interface ViewSpec {
  title: LocalizedText;
  description?: LocalizedText;
  form: string;
  type?: ViewType;
  columns?: ViewColumn[];
  filter?: FilterJson;
  sort?: string;
  groupBy?: string;
  dateField?: string;
  pageSize?: number;
  options?: Record<string, unknown>;
}

/** A record as the records API returns it: field values by key and the system fields. */
export interface RecordDoc {
  _id: string;
  _version: number;
  _createdAt?: string;
  _updatedAt?: string;
  _createdBy?: string;
  _updatedBy?: string;
  _state?: string;
  _deleted?: boolean;
  [field: string]: unknown;
}

/** One page of a list. */
export interface RecordPage {
  items: RecordDoc[];
  next?: string;
  total?: number;
}

/** One entry of a record's history (newest first). */
export interface Revision {
  rev: number;
  op: 'create' | 'update' | 'delete' | 'restore' | 'revert';
  at: string;
  by?: string;
  byName?: string;
  fields?: string[];
  old?: Record<string, unknown>;
  new?: Record<string, unknown>;
  /** For a revert: the revision restored. */
  from?: number;
}

/** A stored file, as an attachment or image field holds it. */
export interface FileRef {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
}

/** One item of a bulk call. */
export interface BulkOp {
  op: 'create' | 'update' | 'delete';
  id?: string;
  data?: Record<string, unknown>;
  ifMatch?: number;
}

/** The outcome of one bulk item. */
export interface BulkItemResult {
  index: number;
  op: string;
  status: number;
  id?: string;
  record?: RecordDoc;
  error?: { code: string; detail?: string; title?: string; errors?: { path: string; message: string }[] };
}

/** What became of one column of an imported file. */
export interface ImportColumn {
  column: string;
  header: string;
  field?: string;
  status: 'mapped' | 'unknown' | 'ignored';
  reason?: string;
}

/** One problem of one imported row. */
export interface ImportRowError {
  row: number;
  column?: string;
  path: string;
  code: string;
  message: string;
}

/** The result of an import or of its dry run. */
export interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  failed: number;
  errors: ImportRowError[] | null;
  errorsTruncated?: boolean;
  dryRun: boolean;
  mode: 'all' | 'skip';
  outcome: 'dry_run' | 'written' | 'rejected' | 'partial';
  stoppedAt?: number;
  columns: ImportColumn[];
}

/** A progress event of a running import. */
export interface ImportProgress {
  phase: 'validate' | 'write';
  rows: number;
  ok: number;
  failed: number;
}
