import { Flex, Typography } from 'antd';
import { useMemo } from 'react';
import type { FieldDef, FilterJson, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { filterFields } from '../../records/filter/fields';
import { FilterEditor } from '../FilterEditor';

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
  return (
    <Flex vertical gap={8} data-testid={`condition-${which}`}>
      <Typography.Text strong>{t(which === 'visibleWhen' ? 'builder.form.visibleWhen' : 'builder.form.requiredWhen')}</Typography.Text>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t(which === 'visibleWhen' ? 'builder.form.visibleWhenHelp' : 'builder.form.requiredWhenHelp')}
      </Typography.Text>
      <FilterEditor app={app} form={form} fields={fields} value={f[which] as FilterJson | undefined} onChange={(v) => set({ [which]: v } as Partial<FieldDef>, `${which}:${f.key}`)} />
    </Flex>
  );
}
