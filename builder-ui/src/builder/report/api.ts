import { api } from '../../api/client';
import type { ReportResult } from '../../dashboards/api';
import { previewBody, type ParameterValues, type ReportSpec } from './model';

const seg = encodeURIComponent;

/**
 * Runs the spec being designed (saved or not) through the report engine,
 * exactly as it will run once published, under the designer's row scopes.
 * An invalid spec is a 422 whose field paths start with "spec.".
 */
export function previewReport(app: string, key: string, spec: ReportSpec, parameters?: ParameterValues, signal?: AbortSignal): Promise<ReportResult> {
  return api.post<ReportResult>(`/api/apps/${seg(app)}/reports/preview`, previewBody(key, spec, parameters), signal ? { signal } : {});
}
