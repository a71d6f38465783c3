import { Alert, Button, Card, Col, Empty, Row, Skeleton, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { ViewSpec } from '../../api/formTypes';
import { getDefinition, getPublished } from '../../api/meta';
import { runReport } from '../../dashboards/api';
import { ChartView } from '../../extensions/charts/ChartView';
import { useAsync } from '../../hooks/useAsync';
import type { MessageKey } from '../../i18n/messages';
import { useI18n } from '../../i18n/useI18n';
import { publishedForm } from '../../records/resolve';
import { problemText } from '../errors';
import { RecordsPreview } from '../view/RecordsPreview';
import { blockPath, GRID, parseMarkdown, type Block } from './model';

/** How many records a list block shows. */
const LIST_ROWS = 5;

/** A text block's markdown as headings, paragraphs and lists (never as HTML). */
function TextBlock({ markdown }: { markdown: unknown }) {
  const { text } = useI18n();
  const src = typeof markdown === 'string' || (typeof markdown === 'object' && markdown !== null) ? text(markdown as never) : '';
  return (
    <Typography>
      {parseMarkdown(src).map((p, i) =>
        p.kind === 'heading' ? (
          <Typography.Title key={i} level={Math.min(5, p.level + 1) as 2 | 3 | 4 | 5} style={{ marginTop: 0 }}>
            {p.text}
          </Typography.Title>
        ) : p.kind === 'list' ? (
          <ul key={i}>
            {p.items.map((it, k) => (
              <li key={k}>{it}</li>
            ))}
          </ul>
        ) : (
          <Typography.Paragraph key={i}>{p.text}</Typography.Paragraph>
        ),
      )}
    </Typography>
  );
}

/** A list block: the view's first records, as its published (or, in the designer, latest) revision lists them. */
function ViewBlock({ app, view, published }: { app: string; view: string; published: boolean }) {
  const { t } = useI18n();
  const { data, error } = useAsync(async () => {
    const v = await (published ? getPublished : getDefinition)<ViewSpec>(app, 'view', view);
    const f = await publishedForm(app, v.spec.form);
    return { v: v.spec, form: f.spec };
  }, [app, view, published]);
  if (error) return <Alert type="warning" showIcon message={problemText(t, error)} />;
  if (!data) return null;
  return <RecordsPreview app={app} form={data.v.form} spec={data.form} columns={data.v.columns} filter={data.v.filter} sort={data.v.sort} limit={Math.min(LIST_ROWS, data.v.pageSize ?? LIST_ROWS)} testId={`page-view-${view}`} />;
}

/** How tall a report block's chart is. */
const CHART_HEIGHT = 260;

/** A report block: the published report run with its default parameters, drawn by its chart (a KPI card, a bar chart...). */
function ReportBlock({ app, report }: { app: string; report: string }) {
  const { t } = useI18n();
  const { data, error } = useAsync(() => runReport(app, report, {}), [app, report]);
  if (error) return <Alert type="warning" showIcon message={problemText(t, error)} />;
  if (!data) return <Skeleton active paragraph={{ rows: 3 }} />;
  return (
    <div data-testid={`page-report-${report}`} style={{ minWidth: 0 }}>
      <ChartView result={data} height={CHART_HEIGHT} />
    </div>
  );
}

/**
 * A page's blocks drawn top to bottom on the 24-column grid (full width
 * on a phone): text, a list's first records, a report's chart, and
 * links to dashboards and addresses, each under its title. The runtime shows the
 * published views; the designer's preview their latest revisions.
 */
export function PageBlocks({ app, blocks, published = false }: { app: string; blocks: Block[]; published?: boolean }) {
  const { t, text } = useI18n();
  if (blocks.length === 0) return <Empty description={t('builder.page.noBlocks')} />;
  return (
    <Row gutter={[12, 12]} data-testid="page-blocks">
      {blocks.map((b, i) => {
        const path = blockPath(app, b);
        const url = typeof b.config?.url === 'string' ? b.config.url : '';
        const title = b.title ? text(b.title) : undefined;
        return (
          <Col key={b.id ?? i} xs={24} md={b.span ?? GRID} data-testid={`page-block-${b.id ?? i}`}>
            <Card size="small" title={title} extra={path && <Link to={path}>{t('builder.page.open')}</Link>} style={{ minWidth: 0 }}>
              {b.type === 'text' ? (
                <TextBlock markdown={b.config?.markdown} />
              ) : b.type === 'view' && typeof b.config?.view === 'string' && b.config.view ? (
                <ViewBlock app={app} view={b.config.view} published={published} />
              ) : b.type === 'report' && typeof b.config?.report === 'string' && b.config.report ? (
                <ReportBlock app={app} report={b.config.report} />
              ) : b.type === 'link' && url ? (
                url.startsWith('/') ? (
                  <Link to={url}>{title || url}</Link>
                ) : (
                  <Button type="link" href={url} target="_blank" rel="noreferrer" style={{ padding: 0 }}>
                    {title || url}
                  </Button>
                )
              ) : path ? (
                <Link to={path}>{t(`builder.page.openKind.${b.type}` as MessageKey)}</Link>
              ) : (
                <Typography.Text type="secondary">{t('builder.page.unset')}</Typography.Text>
              )}
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}
