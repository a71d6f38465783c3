import { Button, Descriptions, Empty, List, Segmented, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { formatDateTime } from '../../format/date';
import { useAsync } from '../../hooks/useAsync';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import { automationRuns, replayRun, type AutomationRun } from './api';

const statusColor: Record<string, string> = { done: 'green', dead: 'red', retry: 'orange', waiting: 'blue', running: 'processing', pending: 'default', skipped: 'default' };

/** The runs of an automation with each action's result, and its dead letters with replay. */
export function RunLog({ app, automation, onShow }: { app: string; automation: string; onShow: (run: AutomationRun | undefined) => void }) {
  const { t, locale } = useI18n();
  const [dead, setDead] = useState(false);
  const [message, setMessage] = useState<string>();
  const { data, error, loading, reload } = useAsync(() => automationRuns(app, automation, dead), [app, automation, dead]);
  const m = error ? errorMessage(error) : undefined;
  return (
    <div data-testid="run-log">
      <Space style={{ marginBottom: 8 }}>
        <Segmented
          value={dead ? 'dead' : 'runs'}
          onChange={(v) => setDead(v === 'dead')}
          options={[
            { value: 'runs', label: t('builder.auto.runs') },
            { value: 'dead', label: t('builder.auto.dead') },
          ]}
        />
        <Button size="small" onClick={reload}>
          {t('builder.reload')}
        </Button>
      </Space>
      {m && <Typography.Paragraph type="danger">{t(m.key, m.params)}</Typography.Paragraph>}
      {message && <Typography.Paragraph type="success">{message}</Typography.Paragraph>}
      {!loading && (data?.runs.length ?? 0) === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.auto.noRuns')} />
      ) : (
        <List
          size="small"
          loading={loading}
          dataSource={data?.runs ?? []}
          renderItem={(r) => (
            <List.Item
              actions={[
                <Button key="show" size="small" type="link" onClick={() => onShow(r)}>
                  {t('builder.auto.showOnSteps')}
                </Button>,
                ...(r.status === 'dead'
                  ? [
                      <Button key="replay" size="small" onClick={() => void replayRun(app, r.id).then(() => (setMessage(t('builder.auto.replayed')), reload()))}>
                        {t('builder.auto.replay')}
                      </Button>,
                    ]
                  : []),
              ]}
            >
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={<Tag color={statusColor[r.status]}>{r.status}</Tag>}>
                  {formatDateTime(r.createdAt, locale)} · v{r.version} · {r.eventType ?? r.trigger}
                  {r.record ? ` · ${r.record}` : ''}
                </Descriptions.Item>
                {r.error && <Descriptions.Item label={t('builder.rule.error')}>{`${r.error.step ? `${r.error.step}: ` : ''}${r.error.message ?? r.error.code}`}</Descriptions.Item>}
              </Descriptions>
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
