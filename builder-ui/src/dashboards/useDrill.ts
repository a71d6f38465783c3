import { App } from 'antd';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/problem';
import { useI18n } from '../i18n/useI18n';
import { recordPath } from '../extensions/fieldTypes/relation';
import { drillRecordId } from '../extensions/charts/resultKind';
import { explain } from '../workflow/explain';
import { drillReport, recordsListPath, type Drill, type DrillCell, type FilterValues } from './api';

/**
 * Where a drill goes: a record list's row (its cell names the record id)
 * opens that record's page, any other cell the records list under the
 * cell's filter.
 */
export function drillPath(app: string, cell: DrillCell, d: Drill): string {
  const id = drillRecordId(cell);
  return id !== undefined ? recordPath(app, d.form, id) : recordsListPath(app, d.form, d.filter);
}

/**
 * Drill-down: asks the report for the records filter of a cell (under the
 * parameters its result used) and opens the records list with it, or the
 * record itself for a row of a record list.
 */
export function useDrill(app: string): (report: string, parameters: FilterValues | undefined, cell: DrillCell) => Promise<void> {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  return async (report, parameters, cell) => {
    const hide = message.loading(t('dashboards.drilling'), 0);
    try {
      const d = await drillReport(app, report, parameters ?? {}, cell).catch((err: unknown) => {
        // A formula measure (AOV) has no records of its own: open the cell's.
        if (cell.measure && err instanceof ApiError && err.fieldErrors.some((f) => f.path === 'measure')) {
          return drillReport(app, report, parameters ?? {}, { ...cell, measure: undefined });
        }
        throw err;
      });
      navigate(drillPath(app, cell, d));
    } catch (err) {
      void message.error(explain(err, t));
    } finally {
      hide();
    }
  };
}
