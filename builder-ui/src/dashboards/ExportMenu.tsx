import { DownloadOutlined } from '@ant-design/icons';
import { Dropdown } from 'antd';
import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n/messages';
import { useI18n } from '../i18n/useI18n';
import type { ExportFormat } from './api';

interface Props {
  /** The download address of each format (GETs with the session cookie). */
  urls: Record<ExportFormat, string>;
  /** The menu entries' texts by format. */
  labels: Record<ExportFormat, MessageKey>;
  /** The button that opens the menu. */
  children: ReactNode;
}

/** A menu of downloads, Excel first: a dashboard's, a widget's or a report's data. */
export function ExportMenu({ urls, labels, children }: Props) {
  const { t } = useI18n();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: (['xlsx', 'csv'] as const).map((f) => ({
          key: f,
          icon: <DownloadOutlined />,
          label: (
            <a href={urls[f]} download data-testid={`export-${f}`}>
              {t(labels[f])}
            </a>
          ),
        })),
      }}
    >
      {children}
    </Dropdown>
  );
}
