import { Alert, Empty, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ChartView } from '../../extensions/charts/ChartView';
import { runReport, type ReportResult } from '../../dashboards/api';
import { useDebounced } from '../../records/useDebounced';
import { problemText } from '../errors';
import { WhichVersion, type Which } from '../lifecycle/WhichVersion';
import { useI18n } from '../../i18n/useI18n';
import type { FormSpec } from '../../api/formTypes';
import { recordLoader, recordTitle } from '../../records/resolve';
import { aggregate, type AggregateRow } from '../api';
import { previewRequest, previewResult, type DatasetField, type ReportSpec } from './model';

interface Props {
  app: string;
  report: string;
  spec: ReportSpec;
  fields: DatasetField[];
  /** The published version, when there is one (its real result can be shown). */
  publishedVersion: number | undefined;
  forms: ReadonlyMap<string, FormSpec>;
}

/** Record titles for the relation dimensions of a preview, as the report engine labels them. */
async function relationLabels(app: string, r: ReportResult, fields: DatasetField[], forms: ReadonlyMap<string, FormSpec>): Promise<ReportResult> {
  const byPath = new Map(fields.map((f) => [f.path, f.field]));
  const columns = await Promise.all(
    r.columns.map(async (c) => {
      const f = c.field ? byPath.get(c.field) : undefined;
      if (c.role !== 'dimension' || f?.type !== 'relation' || typeof f.form !== 'string') return c;
      const target = f.form;
      const ids = [...new Set(r.rows.map((row: AggregateRow) => row[c.key]).filter((v): v is string => typeof v === 'string'))];
      const recs = await Promise.all(ids.map((id) => recordLoader(app, target).load(id)));
      return { ...c, labels: Object.fromEntries(ids.map((id, i) => [id, recordTitle(recs[i], forms.get(target), id)])) };
    }),
  );
  return { ...r, columns };
}

/**
 * The chart as it is designed: the draft is previewed by aggregating the
 * form's records on the server (the report engine runs published reports
 * only), drawn by the runtime's chart renderers; the published report's
 * own result is one click away.
 */
export function ReportPreview({ app, report, spec, fields, publishedVersion, forms }: Props) {
  const { t, text } = useI18n();
  const [which, setWhich] = useState<Which>('draft');
  const [result, setResult] = useState<ReportResult>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const debounced = useDebounced(spec, 400);
  const chartType = spec.chart?.type ?? 'chart.table';
  const { skipped } = previewRequest(debounced);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    const load =
      which === 'published'
        ? runReport(app, report, {})
        : aggregate(app, debounced.dataset.form, previewRequest(debounced).request).then((rows) => relationLabels(app, previewResult(debounced, rows, fields, chartType, text), fields, forms));
    load.then(
      (r) => current && (setResult(r), setLoading(false)),
      (e: unknown) => {
        if (!current) return;
        setError(problemText(t, e));
        setResult(undefined);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // fields and text follow the spec and the language.
  }, [which, app, report, debounced, chartType, publishedVersion]);

  return (
    <div data-testid="report-preview">
      <WhichVersion value={which} onChange={setWhich} published={!!publishedVersion} style={{ marginBottom: 8 }} />
      {which === 'draft' && skipped.length > 0 && <Alert type="info" showIcon message={t('builder.report.skipped', { names: skipped.join(', ') })} style={{ marginBottom: 8 }} />}
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
        </Typography.Text>
      )}
    </div>
  );
}
