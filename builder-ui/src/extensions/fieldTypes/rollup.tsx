import type { FieldDef } from '../../api/formTypes';
import { useFormSpec } from '../../records/useLoaded';
import { kindShape, KindDisplay } from './shared';
import type { DisplayProps, FieldTypeUI } from './types';

function shapeOf(f: FieldDef) {
  return f.op === 'count' ? kindShape('int') : kindShape(f.kind, 'decimal');
}

/** A sum, min or max of a money field of the child form is money too. */
function RollupDisplay({ field, value, ctx }: DisplayProps) {
  const child = useFormSpec(ctx.app, typeof field.form === 'string' ? field.form : undefined);
  const source = child?.fields.find((c) => c.key === field.field);
  const money = source?.type === 'money' && field.op !== 'count' && field.op !== 'avg';
  return <KindDisplay value={value} kind={shapeOf(field).kind} money={money} ctx={ctx} />;
}

/** rollup: a count, sum, min, max or average over the records pointing at this one. */
export const rollup: FieldTypeUI = {
  key: 'rollup',
  computed: true,
  stored: shapeOf,
  Display: RollupDisplay,
};
