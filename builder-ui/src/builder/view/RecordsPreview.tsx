import { Alert, Table, type TableProps } from 'antd';
import type { FilterJson, FormSpec, RecordDoc, ViewColumn } from '../../api/formTypes';
import { listRecords } from '../../api/records';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import { defaultColumns, resolveColumns } from '../../records/columns';
import { CellValue } from '../../records/list/CellValue';
import { useDebounced } from '../../records/useDebounced';
import { problemText } from '../errors';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  columns: ViewColumn[] | undefined;
  filter: FilterJson | undefined;
  sort: string | undefined;
  limit: number;
  testId?: string;
}

/**
 * The first records a list shows, read through the records API with the
 * given filter and sort (not yet published: the draft's own), in the
 * given columns; a refused filter shows the server's reason.
 */
export function RecordsPreview({ app, form, spec, columns, filter, sort, limit, testId = 'records-preview' }: Props) {
  const { t, text } = useI18n();
  // One request per pause in editing, not per keystroke.
  const ask = useDebounced(JSON.stringify({ columns, filter, sort, limit }), 400);
  const { data, error, loading } = useAsync(async () => {
    const q = JSON.parse(ask) as { columns?: ViewColumn[]; filter?: FilterJson; sort?: string; limit: number };
    const cols = q.columns?.length ? q.columns : defaultColumns(spec);
    const [resolved, page] = await Promise.all([resolveColumns(app, form, spec, cols), listRecords(app, form, { filter: q.filter, sort: q.sort, limit: q.limit })]);
    return { resolved, items: page.items };
  }, [app, form, spec, ask]);
  if (error) return <Alert type="warning" showIcon message={problemText(t, error)} data-testid={`${testId}-error`} />;
  const cols: TableProps<RecordDoc>['columns'] = (data?.resolved ?? []).map((c) => ({
    key: c.path,
    title: c.label ? text(c.label) : c.labels.map((l) => text(l)).join(' / '),
    width: c.width,
    ellipsis: true,
    render: (_: unknown, rec: RecordDoc) => <CellValue app={app} col={c} rec={rec} />,
  }));
  return (
    <div data-testid={testId} style={{ minWidth: 0, overflow: 'hidden' }}>
      <Table<RecordDoc> rowKey="_id" size="small" loading={loading} columns={cols} dataSource={data?.items ?? []} pagination={false} scroll={{ x: 'max-content' }} />
    </div>
  );
}
