import { api } from '../api/client';
import type { Kind } from '../api/meta';
import type { Definition, User } from '../api/types';

/**
 * The meta API calls only the builder makes: revisions, rollback, app
 * export and import, the decision table checks and report runs for
 * previews. Definition reads and writes shared with the runtime are in
 * api/meta.ts.
 */

const seg = encodeURIComponent;
const defPath = (app: string, kind: Kind, key: string) => `/api/apps/${seg(app)}/meta/${seg(kind)}/${seg(key)}`;

/** Every revision of a definition, newest first. */
export function listVersions<S>(app: string, kind: Kind, key: string): Promise<Definition<S>[]> {
  return api.get<Definition<S>[]>(`${defPath(app, kind, key)}/versions`);
}

/** One revision of a definition. */
export function getVersion<S>(app: string, kind: Kind, key: string, version: number): Promise<Definition<S>> {
  return api.get<Definition<S>>(defPath(app, kind, key), { query: { version } });
}

/** Republishes an old revision's spec as a new published revision on top of latest. */
export function rollbackDefinition<S>(app: string, kind: Kind, key: string, version: number, latest: number): Promise<Definition<S>> {
  return api.post<Definition<S>>(`${defPath(app, kind, key)}/rollback`, { version }, { headers: { 'If-Match': String(latest) } });
}

/** An exported app: one JSON file (engine/meta Bundle). */
export interface Bundle {
  format: string;
  formatVersion: number;
  app: string;
  exportedAt?: string;
  definitions: Definition[];
}

/** What an import did or, in a dry run, would do, by "kind/key". */
export interface ImportReport {
  app: string;
  dryRun: boolean;
  created: string[] | null;
  updated: string[] | null;
  unchanged: string[] | null;
  conflicts: string[] | null;
}

export function exportApp(app: string): Promise<Bundle> {
  return api.get<Bundle>(`/api/apps/${seg(app)}/export`);
}

/** How an import treats the target app. */
export interface ImportOptions {
  dryRun: boolean;
  overwrite: boolean;
  publish: boolean;
}

/** Imports a bundle into app; existing keys are a 409 meta.import_conflict unless overwrite. */
export function importApp(app: string, bundle: unknown, o: ImportOptions): Promise<ImportReport> {
  return api.post<ImportReport>(`/api/apps/${seg(app)}/import`, bundle, {
    query: { dryRun: String(o.dryRun), overwrite: String(o.overwrite), publish: String(o.publish) },
  });
}

/** A problem of a decision table: a path rooted at the definition ("spec.rows[2].when.tier"). */
export interface RuleProblem {
  path: string;
  code?: string;
  message: string;
}

/** The analysis of a decision table revision. */
export interface RuleReport {
  version: number;
  errors: RuleProblem[];
  warnings: RuleProblem[];
}

export function analyzeRule(app: string, rule: string, version?: number): Promise<RuleReport> {
  return api.post<RuleReport>(`/api/apps/${seg(app)}/rules/${seg(rule)}/analyze`, version ? { version } : {});
}

/** The result of evaluating a decision table. */
export interface RuleResult {
  matched: boolean;
  hitPolicy: string;
  version?: number;
  at: string;
  rows: number[];
  outputs?: Record<string, unknown>;
  list?: Record<string, unknown>[];
  trace?: { row: number; matched: boolean; used: boolean; failedColumn?: string; inactive?: string }[];
}

/** Evaluates a revision (a draft needs the design right) or the published table. */
export function evaluateRule(app: string, rule: string, inputs: Record<string, unknown>, version?: number): Promise<RuleResult> {
  const body: Record<string, unknown> = { inputs, trace: true };
  if (version) body.version = version;
  return api.post<RuleResult>(`/api/apps/${seg(app)}/rules/${seg(rule)}/evaluate`, body);
}

/** A column of a report result. */
export interface ReportColumn {
  key: string;
  label?: string;
  role?: string;
  type?: string;
  format?: string;
  labels?: Record<string, string>;
}

/** A report result (the published revision, run under the caller's rights). */
export interface ReportResult {
  report: string;
  version?: number;
  title?: string;
  columns: ReportColumn[];
  rows: Record<string, unknown>[];
  totals?: Record<string, unknown>;
  chart?: { type: string; option: Record<string, unknown> };
  truncated: boolean;
}

export function runReport(app: string, report: string, parameters?: Record<string, unknown>): Promise<ReportResult> {
  return api.post<ReportResult>(`/api/apps/${seg(app)}/reports/${seg(report)}/run`, parameters ? { parameters } : {});
}

/** A chart type reports may use (GET /api/report-charts). */
export interface ChartType {
  key: string;
  title?: Record<string, string>;
}

export function listChartTypes(): Promise<ChartType[]> {
  return api.get<ChartType[]>('/api/report-charts');
}

const designCache = new Map<string, Promise<boolean>>();

/**
 * Whether the user may design an app (GET /api/apps/{app}/rights: the
 * design right on the app). Administrators may; the answer is kept for the
 * page's life.
 */
export function canDesignApp(user: User, app: string): Promise<boolean> {
  if (user.admin) return Promise.resolve(true);
  const key = `${user.id}/${app}`;
  let p = designCache.get(key);
  if (!p) {
    p = api.get<{ design?: boolean }>(`/api/apps/${seg(app)}/rights`).then(
      (r) => r.design === true,
      () => false,
    );
    designCache.set(key, p);
  }
  return p;
}
