import { Checkbox, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { FormSpec } from '../../api/formTypes';
import type { Definition } from '../../api/types';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { entriesOf, fieldRules, hasRight, matrixRows, RIGHTS, setAllRights, setFieldRule, setRight, setScope, type GrantKind, type RoleSpec } from './model';
import { FieldRulesEditor } from './FieldRulesEditor';
import { ScopeEditor } from './ScopeEditor';

interface Props {
  app: string;
  spec: RoleSpec;
  kind: GrantKind;
  /** The app's definitions of the kind (latest revisions). */
  defs: Definition[];
  onChange: (next: RoleSpec, group?: string) => void;
  /** The server's problems of the last save by row ("form/members"). */
  problems: Map<string, string[]>;
}

interface Row {
  key: string;
  label: string;
  /** The form of a form row, for its scope and field rules. */
  form?: { key: string; spec: FormSpec };
  missing: boolean;
}

/**
 * One kind's rights matrix: its definitions as rows (with "every <kind>"
 * first), the kind's rights as checkbox columns, and for forms the row
 * scope in the row and the scope's details and field rules when the row
 * is opened. On a narrow screen the table scrolls inside itself.
 */
export function RightsMatrix({ app, spec, kind, defs, onChange, problems }: Props) {
  const { t, text } = useI18n();
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const rows: Row[] = matrixRows(
    spec,
    kind,
    defs.map((d) => d.key),
    app,
  ).map((key) => {
    const d = byKey.get(key);
    const label = key === '*' ? t(`builder.role.every.${kind}` as MessageKey) : kind === 'app' ? t('builder.role.wholeApp') : d ? text(d.spec.title) || key : key;
    const row: Row = { key, label, missing: key !== '*' && kind !== 'app' && !d };
    if (kind === 'form' && d) row.form = { key, spec: d.spec as unknown as FormSpec };
    return row;
  });
  const rights = RIGHTS[kind];
  const columns: ColumnsType<Row> = [
    {
      title: t('builder.defTitle'),
      key: 'name',
      fixed: 'left',
      width: 150,
      render: (_: unknown, r: Row) => {
        const wrong = problems.get(`${kind}/${r.key}`);
        return (
          <Typography.Text ellipsis={{ tooltip: r.key }} style={{ maxWidth: 140 }} type={wrong ? 'danger' : undefined}>
            {r.label} {r.missing && <Tag color="warning">{t('builder.role.undefined')}</Tag>}
            {wrong && (
              <Tooltip title={wrong.join('; ')}>
                <Tag color="error" data-testid={`row-problem-${kind}-${r.key}`}>
                  !
                </Tag>
              </Tooltip>
            )}
          </Typography.Text>
        );
      },
    },
    ...rights.map((right) => ({
      title: t(`builder.role.right.${right}` as MessageKey),
      key: right,
      width: 64,
      align: 'center' as const,
      render: (_: unknown, r: Row) => (
        <Checkbox
          checked={hasRight(spec, kind, r.key, right)}
          onChange={(e) => onChange(setRight(spec, kind, r.key, right, e.target.checked))}
          aria-label={`${r.label} ${t(`builder.role.right.${right}` as MessageKey)}`}
          data-testid={`right-${kind}-${r.key}-${right}`}
        />
      ),
    })),
    {
      title: t('builder.role.allRights'),
      key: 'all',
      width: 56,
      align: 'center' as const,
      render: (_: unknown, r: Row) => {
        const n = rights.filter((right) => hasRight(spec, kind, r.key, right)).length;
        return <Checkbox checked={n === rights.length} indeterminate={n > 0 && n < rights.length} onChange={(e) => onChange(setAllRights(spec, kind, r.key, e.target.checked))} aria-label={`${r.label} ${t('builder.role.allRights')}`} />;
      },
    },
  ];
  if (kind === 'form') {
    columns.push({
      title: t('builder.role.scope'),
      key: 'scope',
      width: 170,
      render: (_: unknown, r: Row) => {
        const entry = entriesOf(spec, kind, r.key)[0];
        return <ScopeEditor compact app={app} form={r.form} value={entry?.scope} disabled={!entry} onChange={(c) => onChange(setScope(spec, kind, r.key, c))} />;
      },
    });
  }
  return (
    <Table<Row>
      rowKey="key"
      size="small"
      columns={columns}
      dataSource={rows}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid={`matrix-${kind}`}
      expandable={
        kind === 'form'
          ? {
              rowExpandable: (r) => entriesOf(spec, kind, r.key).length > 0,
              expandedRowRender: (r) => {
                const entry = entriesOf(spec, kind, r.key)[0]!;
                return (
                  <div style={{ maxWidth: 'min(720px, calc(100vw - 64px))' }} data-testid={`row-details-${r.key}`}>
                    <Typography.Text strong>{t('builder.role.scope')}</Typography.Text>
                    <div style={{ margin: '4px 0 12px' }}>
                      <ScopeEditor app={app} form={r.form} value={entry.scope} onChange={(c) => onChange(setScope(spec, kind, r.key, c))} />
                    </div>
                    <Typography.Text strong>{t('builder.role.fields')}</Typography.Text>
                    <div style={{ marginTop: 4 }}>
                      <FieldRulesEditor fields={r.form?.spec.fields ?? []} rules={fieldRules(spec, kind, r.key)} onChange={(field, v) => onChange(setFieldRule(spec, kind, r.key, field, v), `role-field:${r.key}:${field}`)} />
                    </div>
                  </div>
                );
              },
            }
          : undefined
      }
    />
  );
}
