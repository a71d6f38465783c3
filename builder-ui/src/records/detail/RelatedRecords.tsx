import { Card, Empty, Flex, List, Spin, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { FieldDef, FormSpec, RecordDoc } from '../../api/formTypes';
import { listDefinitions } from '../../api/meta';
import { listRecords } from '../../api/records';
import { formatDateTime } from '../../format/date';
import { recordPath, RelationDisplay, targetOf } from '../../extensions/fieldTypes/relation';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import { recordLoader, recordTitle } from '../resolve';

interface Incoming {
  form: string;
  spec: FormSpec;
  field: FieldDef;
  items: RecordDoc[];
  more: boolean;
}

const SHOWN = 5;

/**
 * The forms whose relation fields point at this form, each with the first
 * records pointing at this record. Forms the user may not read are left
 * out by the server (listing them answers 403, and they are skipped).
 */
async function loadIncoming(app: string, form: string, id: string): Promise<Incoming[]> {
  const forms = (await listDefinitions(app, 'form')) as unknown as { key: string; spec: FormSpec; status: string }[];
  const links: { form: string; spec: FormSpec; field: FieldDef }[] = [];
  for (const d of forms) {
    for (const f of d.spec.fields ?? []) {
      if (f.type === 'relation' && targetOf(f) === form) links.push({ form: d.key, spec: d.spec, field: f });
    }
  }
  const out = await Promise.all(
    links.map(async (l) => {
      try {
        const filter = l.field.multiple === true ? { [l.field.key]: { $contains: id } } : { [l.field.key]: { $eq: id } };
        const page = await listRecords(app, l.form, { filter, limit: SHOWN });
        for (const r of page.items) recordLoader(app, l.form).prime(r._id, r);
        return { ...l, items: page.items, more: !!page.next };
      } catch {
        return undefined;
      }
    }),
  );
  return out.filter((x): x is Incoming => !!x);
}

/** Related records both ways: what this record points at, and what points at it. */
export function RelatedRecords({ app, form, spec, record }: { app: string; form: string; spec: FormSpec; record: RecordDoc }) {
  const { t, text, locale } = useI18n();
  const { data, loading } = useAsync(() => loadIncoming(app, form, record._id), [app, form, record._id]);
  const outgoing = spec.fields.filter((f) => f.type === 'relation' && record[f.key] !== undefined && record[f.key] !== null);
  const ctx = { app, form };
  return (
    <Flex vertical gap={12} data-testid="related">
      {outgoing.map((f) => (
        <Card key={f.key} size="small" title={text(f.label)}>
          <RelationDisplay field={f} value={record[f.key]} ctx={ctx} />
        </Card>
      ))}
      {loading && !data ? <Spin /> : null}
      {(data ?? []).map((inc) => {
        const all = `/apps/${encodeURIComponent(app)}/form/${encodeURIComponent(inc.form)}?filter=${encodeURIComponent(JSON.stringify(inc.field.multiple === true ? { [inc.field.key]: { $contains: record._id } } : { [inc.field.key]: { $eq: record._id } }))}`;
        return (
          <Card
            key={`${inc.form}/${inc.field.key}`}
            size="small"
            title={`${text(inc.spec.title) || inc.form} · ${text(inc.field.label)}`}
            extra={inc.items.length > 0 ? <Link to={all}>{t('related.all')}</Link> : undefined}
          >
            {inc.items.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              <List
                size="small"
                dataSource={inc.items}
                renderItem={(r) => (
                  <List.Item>
                    <Link to={recordPath(app, inc.form, r._id)}>{recordTitle(r, inc.spec, r._id)}</Link>
                    <Typography.Text type="secondary">{formatDateTime(r._updatedAt, locale)}</Typography.Text>
                  </List.Item>
                )}
              />
            )}
            {inc.more && <Typography.Text type="secondary">{t('related.more')}</Typography.Text>}
          </Card>
        );
      })}
      {outgoing.length === 0 && data && data.length === 0 && <Empty description={t('related.none')} />}
    </Flex>
  );
}
