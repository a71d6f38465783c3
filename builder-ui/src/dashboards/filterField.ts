import type { FieldDef } from '../api/formTypes';
import { getPublished } from '../api/meta';
import { resolveColumn } from '../records/columns';
import { publishedForm } from '../records/resolve';
import type { DashboardFilter, DashboardSpec } from './api';
import { bindings, expandJoinPath, type Join } from './filters';

/** The parts of a report definition the filter controls read. */
interface ReportSpecPart {
  dataset: { form: string; joins?: Join[] };
  parameters?: { key: string; type: string; field: string }[];
}

/** The field a filter edits, and the form it belongs to (for pickers). */
export interface FilterField {
  field: FieldDef;
  form: string;
}

const reports = new Map<string, Promise<ReportSpecPart | undefined>>();

function reportSpec(app: string, key: string): Promise<ReportSpecPart | undefined> {
  const k = `${app}/${key}`;
  let p = reports.get(k);
  if (!p) {
    p = getPublished<ReportSpecPart>(app, 'report', key).then(
      (d) => d.spec,
      () => undefined,
    );
    reports.set(k, p);
  }
  return p;
}

/**
 * The form field behind a field filter: the first report parameter the
 * filter feeds, its dataset path walked through the report's joins and
 * the forms' relation fields (store.region -> the stores form's region
 * select). undefined when no report or form can be read by this user; the
 * control then offers the labels found in the results.
 */
export async function resolveFilterField(app: string, spec: DashboardSpec, f: DashboardFilter): Promise<FilterField | undefined> {
  for (const b of bindings(spec, f.key)) {
    const rs = await reportSpec(app, b.report);
    const param = rs?.parameters?.find((p) => p.key === b.param && p.type === 'value');
    if (!rs || !param) continue;
    try {
      const base = (await publishedForm(app, rs.dataset.form)).spec;
      const col = await resolveColumn(app, rs.dataset.form, base, { field: expandJoinPath(param.field, rs.dataset.joins ?? []) });
      if (col && !col.sub) return { field: col.field, form: col.form };
    } catch {
      // The form is not readable: try the next report.
    }
  }
  return undefined;
}
