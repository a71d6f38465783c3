import type { RecordDoc } from '../../api/formTypes';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import type { Hop, ResolvedColumn } from '../columns';
import { recordLoader } from '../resolve';
import { idsOf, useLoaded } from '../useLoaded';

function subValue(v: unknown, sub: string | undefined): unknown {
  if (!sub) return v;
  let cur = v;
  for (const p of sub.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Follows relations hop by hop (each hop one batched read of the target form) to the shown value. */
function Through({ app, hops, value, col }: { app: string; hops: Hop[]; value: unknown; col: ResolvedColumn }) {
  const [hop, ...rest] = hops;
  const ids = idsOf(value);
  const loaded = useLoaded(hop ? recordLoader(app, hop.form) : undefined, hop ? ids : []);
  if (!hop) return <Shown app={app} col={col} value={value} />;
  const values = ids.map((id) => loaded.get(id)?.[hop.key]).filter((v) => v !== undefined && v !== null);
  const next = Array.isArray(value) ? values.flat() : values[0];
  return <Through app={app} hops={rest} value={next} col={col} />;
}

function Shown({ app, col, value }: { app: string; col: ResolvedColumn; value: unknown }) {
  const ui = fieldTypeUI(col.sub ? 'text' : col.field.type);
  const v = subValue(value, col.sub);
  return <ui.Display field={col.field} value={typeof v === 'object' && col.sub ? JSON.stringify(v) : v} ctx={{ app, form: col.form, compact: true }} />;
}

/** The value of a column for a record, through relations and into sub-paths. */
export function CellValue({ app, col, rec }: { app: string; col: ResolvedColumn; rec: RecordDoc }) {
  return <Through app={app} hops={col.hops} value={rec[col.root]} col={col} />;
}
