import { Card, Empty, Flex, Spin, Typography } from 'antd';
import type { FormSpec, RecordDoc } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { ResolvedColumn } from '../columns';
import { recordTitle } from '../resolve';
import { CellValue } from './CellValue';

/** The records as cards for phones: the title and the first few columns, a tap opens one. */
export function RecordCards({ app, spec, columns, items, loading, onOpen }: { app: string; spec: FormSpec; columns: ResolvedColumn[]; items: RecordDoc[]; loading: boolean; onOpen: (rec: RecordDoc) => void }) {
  const { text } = useI18n();
  const shown = columns.filter((c) => c.path !== spec.titleField).slice(0, 4);
  if (!loading && items.length === 0) return <Empty style={{ marginTop: 32 }} />;
  return (
    <Spin spinning={loading}>
      <Flex vertical gap={8} data-testid="record-cards">
        {items.map((rec) => (
          <Card key={rec._id} size="small" hoverable onClick={() => onOpen(rec)} data-testid="record-card">
            <Typography.Text strong>{recordTitle(rec, spec, rec._id)}</Typography.Text>
            {shown.map((c) => (
              <Flex key={c.path} gap={8} justify="space-between" style={{ marginTop: 4, minWidth: 0 }}>
                <Typography.Text type="secondary" style={{ flex: 'none' }}>
                  {c.label ? text(c.label) : c.labels.map((l) => text(l)).join(' / ')}
                </Typography.Text>
                <span style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', textAlign: 'end' }}>
                  <CellValue app={app} col={c} rec={rec} />
                </span>
              </Flex>
            ))}
          </Card>
        ))}
      </Flex>
    </Spin>
  );
}
