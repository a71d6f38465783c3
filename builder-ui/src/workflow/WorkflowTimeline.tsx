import { PaperClipOutlined } from '@ant-design/icons';
import { Empty, Space, Timeline, Typography } from 'antd';
import { fileUrl } from '../api/records';
import { formatDateTime } from '../format/date';
import type { MessageKey } from '../i18n/messages';
import { useI18n } from '../i18n/useI18n';
import type { TimelineEntry } from './api';
import { entryColor, type FlowSpec } from './model';

interface Props {
  app: string;
  entries: TimelineEntry[];
  flow: FlowSpec | undefined;
  stateLabel: (key: string) => string;
}

const KNOWN = new Set<string>(['transition', 'approve', 'reject', 'return', 'delegate', 'add_signer', 'withdraw', 'remind', 'overdue', 'escalate']);

/** Files attached to a comment, as download links. */
export function AttachmentLinks({ app, ids }: { app: string; ids: string[] | undefined }) {
  const { t } = useI18n();
  if (!ids || ids.length === 0) return null;
  return (
    <Space size={8} wrap>
      {ids.map((id, i) => (
        <a key={id} href={fileUrl(app, id)} target="_blank" rel="noreferrer">
          <PaperClipOutlined /> {t('workflow.attachmentN', { n: i + 1 })}
        </a>
      ))}
    </Space>
  );
}

/** A record's workflow history, oldest first: who did what, when, and why. */
export function WorkflowTimeline({ app, entries, flow, stateLabel }: Props) {
  const { t, text, locale } = useI18n();
  if (entries.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workflow.noHistory')} />;
  const triggerLabel = (e: TimelineEntry) => {
    const tr = flow?.transitions.find((x) => x.trigger === e.trigger && x.to === e.to) ?? flow?.transitions.find((x) => x.trigger === e.trigger);
    return text(tr?.label) || e.trigger || '';
  };
  const describe = (e: TimelineEntry): string => {
    const params = {
      who: e.byName || e.by,
      user: e.userName || e.user || '',
      from: e.from ? stateLabel(e.from) : '',
      to: e.to ? stateLabel(e.to) : '',
      action: triggerLabel(e),
      step: e.step ?? '',
    };
    const key = `workflow.entry.${e.kind}` as MessageKey;
    // A kind this UI does not know yet (a newer server) still reads as who did what.
    return KNOWN.has(e.kind) ? t(key, params) : `${params.who}: ${e.kind}`;
  };
  return (
    <Timeline
      data-testid="workflow-timeline"
      items={entries.map((e) => ({
        key: e.id,
        color: entryColor(e.kind),
        children: (
          <div data-testid={`timeline-${e.kind}`}>
            <Typography.Text>{describe(e)}</Typography.Text>
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(e.at, locale)}
              </Typography.Text>
            </div>
            {e.comment && (
              <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }} type="secondary">
                “{e.comment}”
              </Typography.Paragraph>
            )}
            <AttachmentLinks app={app} ids={e.attachments} />
          </div>
        ),
      }))}
    />
  );
}
