import { Alert, Button, Typography } from 'antd';
import { useState } from 'react';
import type { FilterJson } from '../api/formTypes';
import { useI18n } from '../i18n/useI18n';
import { FilterBuilder } from '../records/filter/FilterBuilder';
import { emptyGroup, type FilterField, type Group } from '../records/filter/model';
import { buildFilter } from '../records/filter/toFilter';
import { filterToGroup } from './form/conditions';

interface Props {
  app: string;
  form: string;
  /** The paths the builder offers; remount (key) when they arrive late. */
  fields: FilterField[];
  value: FilterJson | undefined;
  onChange: (v: FilterJson | undefined) => void;
}

/**
 * A stored condition (a field's show/require rule, a workflow guard, an
 * automation's condition) edited with the runtime's filter builder and
 * written back as the filter the runtime and the server evaluate. A
 * condition the builder cannot show stays as it is until replaced.
 */
export function FilterEditor({ app, form, fields, value, onChange }: Props) {
  const { t } = useI18n();
  const [group, setGroup] = useState<Group | undefined>(() => filterToGroup(value, fields));
  const [incomplete, setIncomplete] = useState<string[]>([]);
  if (!group) {
    return (
      <Alert
        type="warning"
        message={t('builder.form.conditionRaw')}
        description={<Typography.Text code>{JSON.stringify(value)}</Typography.Text>}
        action={
          <Button
            size="small"
            onClick={() => {
              setGroup(emptyGroup());
              onChange(undefined);
            }}
          >
            {t('builder.form.conditionReplace')}
          </Button>
        }
      />
    );
  }
  return (
    <FilterBuilder
      app={app}
      form={form}
      value={group}
      fields={fields}
      incomplete={incomplete}
      onChange={(g) => {
        setGroup(g);
        const built = buildFilter(g, fields);
        setIncomplete(built.incomplete);
        onChange(built.filter);
      }}
    />
  );
}
