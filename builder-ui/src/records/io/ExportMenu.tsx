import { DownloadOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { exportUrl, type ListParams } from '../../api/records';
import { useI18n } from '../../i18n/useI18n';

/**
 * Exports what the list shows (view, filter, search, sort) as CSV or
 * .xlsx. The download is a plain GET with the session cookie; the server
 * streams it, applies the reader's rows and field rules and audits it.
 */
export function ExportMenu({ app, form, params }: { app: string; form: string; params: ListParams }) {
  const { t, locale } = useI18n();
  const href = (format: 'csv' | 'xlsx') => exportUrl(app, form, format, { ...params, lang: locale });
  return (
    <Dropdown
      menu={{
        items: [
          { key: 'csv', label: <a href={href('csv')} download data-testid="export-csv">{t('export.csv')}</a> },
          { key: 'xlsx', label: <a href={href('xlsx')} download data-testid="export-xlsx">{t('export.xlsx')}</a> },
        ],
      }}
    >
      <Button icon={<DownloadOutlined />} data-testid="export">
        {t('export.open')}
      </Button>
    </Dropdown>
  );
}
