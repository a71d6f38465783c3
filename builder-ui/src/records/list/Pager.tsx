import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Flex, Select } from 'antd';
import { useI18n } from '../../i18n/useI18n';
import type { RecordPageState } from './useRecordPage';

/** Previous / next by cursor, the page number, and the page size. */
export function Pager({ page, pageSize, onPageSize }: { page: RecordPageState; pageSize: number; onPageSize: (n: number) => void }) {
  const { t } = useI18n();
  return (
    <Flex gap={8} align="center" justify="flex-end" wrap style={{ marginTop: 12 }}>
      <span data-testid="page-number">{t('list.page', { n: page.page })}</span>
      <Button icon={<LeftOutlined />} disabled={!page.hasPrev || page.loading} onClick={page.prev} data-testid="page-prev">
        {t('list.prev')}
      </Button>
      <Button disabled={!page.hasNext || page.loading} onClick={page.next} data-testid="page-next">
        {t('list.next')} <RightOutlined />
      </Button>
      <Select
        value={pageSize}
        onChange={onPageSize}
        options={[10, 20, 50, 100].map((n) => ({ value: n, label: t('list.perPage', { n }) }))}
        style={{ width: 110 }}
        aria-label={t('list.pageSize')}
      />
    </Flex>
  );
}
