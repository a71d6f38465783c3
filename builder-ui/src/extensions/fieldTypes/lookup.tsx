import { kindShape, KindDisplay } from './shared';
import type { DisplayProps, FieldTypeUI } from './types';

function LookupDisplay({ field, value, ctx }: DisplayProps) {
  return <KindDisplay value={value} kind={kindShape(field.kind).kind} ctx={ctx} />;
}

/** lookup: a field of the related record, resolved on read (neither stored nor filterable). */
export const lookup: FieldTypeUI = {
  key: 'lookup',
  computed: true,
  stored: (f) => ({ ...kindShape(f.kind), virtual: true }),
  Display: LookupDisplay,
};
