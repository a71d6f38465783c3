import { Table, type TableProps } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import type { RecordDoc } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { ResolvedColumn } from '../columns';
import { CellValue } from './CellValue';

/** A sort of one column: "name" or "-name". */
export interface SortState {
  field: string;
  desc: boolean;
}

export function sortParam(s: SortState | undefined): string | undefined {
  return s ? `${s.desc ? '-' : ''}${s.field}` : undefined;
}

interface Props {
  app: string;
  columns: ResolvedColumn[];
  items: RecordDoc[];
  loading: boolean;
  sort: SortState | undefined;
  onSort: (s: SortState | undefined) => void;
  selected: string[];
  onSelect: ((ids: string[]) => void) | undefined;
  onOpen: (rec: RecordDoc) => void;
}

/** The records as a table: sortable columns (by the server), selectable rows, a click opens the record. */
export function RecordTable({ app, columns, items, loading, sort, onSort, selected, onSelect, onOpen }: Props) {
  const { text } = useI18n();
  const cols: TableProps<RecordDoc>['columns'] = columns.map((c) => ({
    key: c.path,
    dataIndex: c.path,
    title: c.label ? text(c.label) : c.labels.map((l) => text(l)).join(' / '),
    width: c.width,
    fixed: c.fixed,
    ellipsis: c.field.type !== 'multiselect' && c.field.type !== 'image',
    sorter: c.sortable,
    sortOrder: (sort?.field === c.path ? (sort.desc ? 'descend' : 'ascend') : null) as SortOrder,
    sortDirections: ['ascend', 'descend'],
    render: (_: unknown, rec: RecordDoc) => <CellValue app={app} col={c} rec={rec} />,
  }));
  return (
    <div data-testid="record-table">
    <Table<RecordDoc>
      rowKey="_id"
      size="middle"
      columns={cols}
      dataSource={items}
      loading={loading}
      pagination={false}
      scroll={{ x: 'max-content' }}
      showSorterTooltip={false}
      rowSelection={onSelect ? { selectedRowKeys: selected, onChange: (keys) => onSelect(keys.map(String)), preserveSelectedRowKeys: false } : undefined}
      onChange={(_p, _f, sorter) => {
        const s = Array.isArray(sorter) ? sorter[0] : sorter;
        const key = s?.columnKey ? String(s.columnKey) : undefined;
        onSort(key && s?.order ? { field: key, desc: s.order === 'descend' } : undefined);
      }}
      onRow={(rec) => ({ onClick: () => onOpen(rec), style: { cursor: 'pointer' } })}
    />
    </div>
  );
}
