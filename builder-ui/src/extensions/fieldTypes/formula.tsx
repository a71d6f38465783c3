import { kindShape, KindDisplay } from './shared';
import type { DisplayProps, FieldTypeUI } from './types';

const RESULT_KINDS: Record<string, string> = { text: 'string', number: 'decimal', money: 'int', date: 'date', datetime: 'time', checkbox: 'bool' };

function resultType(p: { field: DisplayProps['field'] }): string {
  return typeof p.field.resultType === 'string' ? p.field.resultType : 'text';
}

function FormulaDisplay(p: DisplayProps) {
  const rt = resultType(p);
  return <KindDisplay value={p.value} kind={kindShape(RESULT_KINDS[rt]).kind} money={rt === 'money'} ctx={p.ctx} />;
}

/** formula: computed by the server from the record's other fields. */
export const formula: FieldTypeUI = {
  key: 'formula',
  computed: true,
  stored: (f) => kindShape(RESULT_KINDS[resultType({ field: f })]),
  Display: FormulaDisplay,
  filterValueType: (f) => (resultType({ field: f }) === 'money' ? 'money' : kindValueType(RESULT_KINDS[resultType({ field: f })])),
};

/** The filter value type of a stored kind. */
export function kindValueType(kind: string | undefined) {
  switch (kind) {
    case 'int':
      return 'int' as const;
    case 'decimal':
      return 'decimal' as const;
    case 'bool':
      return 'bool' as const;
    case 'date':
      return 'date' as const;
    case 'time':
      return 'time' as const;
  }
  return 'text' as const;
}
