import { Alert, Button, Flex, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { FieldDef, FilterJson, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { FilterBuilder } from '../../records/filter/FilterBuilder';
import { filterFields } from '../../records/filter/fields';
import { emptyGroup, type Group } from '../../records/filter/model';
import { buildFilter } from '../../records/filter/toFilter';
import { filterToGroup } from './conditions';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  f: FieldDef;
  which: 'visibleWhen' | 'requiredWhen';
  set: (patch: Partial<FieldDef>, group?: string) => void;
}

/**
 * "Show when" or "required when" of a field, edited with the runtime's
 * filter builder over the form's other fields, and stored as the filter
 * the runtime and the server both evaluate.
 */
export function ConditionEditor({ app, form, spec, f, which, set }: Props) {
  const { t } = useI18n();
  const fields = useMemo(() => filterFields({ ...spec, fields: spec.fields.filter((x) => x.key !== f.key) }), [spec, f.key]);
  const stored = f[which] as FilterJson | undefined;
  const [group, setGroup] = useState<Group | undefined>(() => filterToGroup(stored, fields));
  const [incomplete, setIncomplete] = useState<string[]>([]);

  const change = (g: Group) => {
    setGroup(g);
    const built = buildFilter(g, fields);
    setIncomplete(built.incomplete);
    set({ [which]: built.filter } as Partial<FieldDef>, `${which}:${f.key}`);
  };

  return (
    <Flex vertical gap={8} data-testid={`condition-${which}`}>
      <Typography.Text strong>{t(which === 'visibleWhen' ? 'builder.form.visibleWhen' : 'builder.form.requiredWhen')}</Typography.Text>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t(which === 'visibleWhen' ? 'builder.form.visibleWhenHelp' : 'builder.form.requiredWhenHelp')}
      </Typography.Text>
      {group ? (
        <FilterBuilder app={app} form={form} value={group} onChange={change} fields={fields} incomplete={incomplete} />
      ) : (
        <Alert
          type="warning"
          message={t('builder.form.conditionRaw')}
          description={<Typography.Text code>{JSON.stringify(stored)}</Typography.Text>}
          action={
            <Button size="small" onClick={() => change(emptyGroup())}>
              {t('builder.form.conditionReplace')}
            </Button>
          }
        />
      )}
    </Flex>
  );
}
