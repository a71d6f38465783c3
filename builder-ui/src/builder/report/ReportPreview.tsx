import { Alert, Empty, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ChartView } from '../../extensions/charts/ChartView';
import { runReport, type ReportResult } from '../../dashboards/api';
import { useDebounced } from '../../records/useDebounced';
import { ApiError, type FieldError } from '../../api/problem';
import { problemText } from '../errors';
import { specPath } from '../lifecycle/useDesigner';
import { WhichVersion, type Which } from '../lifecycle/WhichVersion';
import { useI18n } from '../../i18n/useI18n';
import { previewReport } from './api';
import { previewable, type ReportSpec } from './model';

interface Props {
  app: string;
  report: string;
  spec: ReportSpec;
  /** The published version, when there is one (its real result can be shown). */
  publishedVersion: number | undefined;
  /** The field errors of the last preview, paths relative to the spec, for the designer to show at their fields. */
  onProblems?: (problems: FieldError[]) => void;
}

/**
 * The chart as it is designed: the spec being edited (saved or not) is run
 * by the report engine itself — joins, formula measures, top N with the
 * others row, period comparisons — under the designer's row scopes, and
 * drawn by the runtime's chart renderers; the published report's result is
 * one click away. A spec the engine refuses shows the server's paths.
 */
export function ReportPreview({ app, report, spec, publishedVersion, onProblems }: Props) {
  const { t } = useI18n();
  const [which, setWhich] = useState<Which>('draft');
  const [result, setResult] = useState<ReportResult>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const debounced = useDebounced(spec, 400);
  const ready = which === 'published' || previewable(debounced);

  useEffect(() => {
    if (!ready) {
      setResult(undefined);
      setError(undefined);
      onProblems?.([]);
      return;
    }
    const ctl = new AbortController();
    setLoading(true);
    setError(undefined);
    const load = which === 'published' ? runReport(app, report, {}, ctl.signal) : previewReport(app, report, debounced, undefined, ctl.signal);
    load.then(
      (r) => {
        if (ctl.signal.aborted) return;
        setResult(r);
        setLoading(false);
        onProblems?.([]);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(problemText(t, e));
        onProblems?.(which === 'draft' && e instanceof ApiError ? e.fieldErrors.map((f) => ({ ...f, path: specPath(f.path) })) : []);
        setResult(undefined);
        setLoading(false);
      },
    );
    return () => ctl.abort();
    // t follows the language, which reloads the designer.
  }, [which, app, report, debounced, ready, publishedVersion]);

  return (
    <div data-testid="report-preview">
      <WhichVersion value={which} onChange={setWhich} published={!!publishedVersion} style={{ marginBottom: 8 }} />
      {!ready && <Alert type="info" showIcon message={t('builder.report.incomplete')} style={{ marginBottom: 8 }} />}
      {error && <Alert type="error" showIcon message={error} data-testid="report-preview-error" />}
      <Spin spinning={loading}>
        {result ? (
          result.rows.length > 0 ? (
            <ChartView result={result} height={320} />
          ) : (
            <Empty description={t('builder.report.noRows')} />
          )
        ) : (
          <div style={{ height: 120 }} />
        )}
      </Spin>
      {result && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="report-preview-rows">
          {t('builder.report.rows', { n: result.rows.length })}
          {result.others ? ` · ${t('builder.report.othersRow')}` : ''}
          {result.truncated ? ` · ${t('builder.report.truncated')}` : ''}
        </Typography.Text>
      )}
    </div>
  );
}
