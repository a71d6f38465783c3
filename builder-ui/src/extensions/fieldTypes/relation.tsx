import { Select, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { FieldDef, RecordDoc } from '../../api/formTypes';
import { listRecords } from '../../api/records';
import { useI18n } from '../../i18n/useI18n';
import { recordLoader, recordTitle } from '../../records/resolve';
import { idsOf, useFormSpec, useLoaded } from '../../records/useLoaded';
import { Empty, idType, usePlaceholder } from './shared';
import type { DisplayProps, InputProps } from './types';

/** The target form of a relation field. */
export function targetOf(field: FieldDef): string {
  return typeof field.form === 'string' ? field.form : '';
}

/** The route of a record's detail page. */
export function recordPath(app: string, form: string, id: string): string {
  return `/apps/${encodeURIComponent(app)}/form/${encodeURIComponent(form)}/records/${encodeURIComponent(id)}`;
}

/**
 * Picks records of the target form by searching them on the server (the
 * form's text fields), twenty at a time; only records the user may read
 * are offered, and the server checks the choice again on save.
 */
function RelationField({ field, value, onChange, ctx, disabled, id }: InputProps) {
  const { t } = useI18n();
  const placeholder = usePlaceholder(field);
  const target = targetOf(field);
  const multiple = field.multiple === true;
  const ids = idsOf(value);
  const spec = useFormSpec(ctx.app, target);
  const loader = recordLoader(ctx.app, target);
  const selected = useLoaded(loader, ids);
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<RecordDoc[]>([]);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!open || !target) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      listRecords(ctx.app, target, { q: search, limit: 20 }, ctl.signal).then(
        (page) => {
          for (const r of page.items) loader.prime(r._id, r);
          setResults(page.items);
          setLoading(false);
        },
        () => setLoading(false),
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [open, search, ctx.app, target, loader]);

  const options = useMemo(() => {
    const seen = new Set<string>();
    const out: { value: string; label: string }[] = [];
    for (const rid of ids) {
      seen.add(rid);
      out.push({ value: rid, label: recordTitle(selected.get(rid), spec, rid) });
    }
    for (const r of results) {
      if (!seen.has(r._id)) out.push({ value: r._id, label: recordTitle(r, spec, r._id) });
    }
    return out;
  }, [ids, selected, results, spec]);

  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={multiple ? ids : ids[0]}
      onChange={(v) => onChange(v ?? null)}
      disabled={disabled}
      placeholder={placeholder ?? t('field.searchRecords')}
      options={options}
      showSearch
      filterOption={false}
      onSearch={setSearch}
      onOpenChange={setOpen}
      loading={loading}
      allowClear
      style={{ width: '100%' }}
    />
  );
}

/** Titles of related records, each a link to its page. */
export function RelationDisplay({ field, value, ctx }: DisplayProps) {
  const target = targetOf(field);
  const ids = idsOf(value);
  const spec = useFormSpec(ctx.app, target);
  const loaded = useLoaded(recordLoader(ctx.app, target), ids);
  if (ids.length === 0) return <Empty />;
  return (
    <Space size={4} wrap>
      {ids.map((rid) => (
        <Link key={rid} to={recordPath(ctx.app, target, rid)} onClick={(e) => e.stopPropagation()}>
          {recordTitle(loaded.get(rid), spec, rid)}
        </Link>
      ))}
    </Space>
  );
}

/** relation: ids of records of another form of the app. */
export const relation = idType('relation', RelationField, RelationDisplay);
