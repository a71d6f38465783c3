import { CopyOutlined, DeleteOutlined, HolderOutlined, PlusOutlined } from '@ant-design/icons';
import { DndContext, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Button, DatePicker, Flex, Input, InputNumber, Popover, Select, Tooltip, theme } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { CellEditor } from './CellEditor';
import { ColumnEditor } from './ColumnEditor';
import { addColumn, badValues, cellText, duplicateRow, formatCell, moveColumn, moveRow, outputText, parseCell, parseOutput, removeColumn, removeRow, setCell, setOutput, updateColumn, updateRow, type CellModel, type Column, type RuleSpec, type Side } from './table';

/** Messages at cells, rows and columns: from the server's save, the analysis, and the preview. */
export interface Marks {
  cells: Map<string, { level: 'error' | 'warning'; text: string[] }>;
  used: ReadonlySet<number>;
}

/** The key of a cell's marks: row, and input or output key. */
export const cellKey = (row: number, part: 'when' | 'then' | 'row', key = '') => `${row}/${part}/${key}`;

interface Props {
  spec: RuleSpec;
  set: (next: RuleSpec, group?: string) => void;
  marks: Marks;
}

function InputCell({ col, cell, onApply }: { col: Column; cell: unknown; onApply: (m: CellModel) => void }) {
  const model = parseCell(cell as never, col.type);
  const [draft, setDraft] = useState<CellModel>(model);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) setDraft(parseCell(cell as never, col.type));
  }, [open, cell, col.type]);
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      content={
        <CellEditor
          column={col}
          value={draft}
          onChange={(m) => {
            setDraft(m);
            if (m.kind === 'any' || m.kind === 'raw' || badValues(m, col.type).length === 0) onApply(m);
          }}
        />
      }
    >
      <div style={{ cursor: 'pointer', minHeight: 22, whiteSpace: 'nowrap' }} role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && setOpen(true)}>
        {cellText(model)}
      </div>
    </Popover>
  );
}

function OutputCell({ col, value, onChange, testId }: { col: Column; value: unknown; onChange: (v: unknown) => void; testId: string }) {
  const { t } = useI18n();
  const [text, setText] = useState(outputText(value));
  useEffect(() => setText(outputText(value)), [value]);
  if (col.options || col.type === 'bool') {
    const opts = col.type === 'bool' ? [{ value: 'true', label: t('field.yes') }, { value: 'false', label: t('field.no') }] : (col.options ?? []).map((o) => ({ value: o, label: o }));
    return <Select size="small" allowClear variant="borderless" value={text || undefined} onChange={(v?: string) => onChange(v === undefined ? undefined : parseOutput(col.type, v))} options={opts} style={{ minWidth: 90, width: '100%' }} data-testid={testId} />;
  }
  const bad = text.trim() !== '' && col.type !== 'list' && badValues({ kind: 'eq', value: text.trim() }, col.type).length > 0;
  const commit = () => {
    if (!bad) onChange(parseOutput(col.type, text));
  };
  return <Input size="small" variant="borderless" value={text} status={bad ? 'error' : undefined} onChange={(e) => setText(e.target.value)} onBlur={commit} onPressEnter={commit} placeholder={outputText(col.default)} style={{ minWidth: 70 }} data-testid={testId} />;
}

function SortableRow({ id, children }: { id: string; children: (handle: ReactNode) => ReactNode }) {
  const { setNodeRef, attributes, listeners, transform, transition, isDragging } = useSortable({ id });
  const { t } = useI18n();
  const handle = (
    <span {...attributes} {...listeners} style={{ cursor: 'grab', touchAction: 'none' }} aria-label={t('builder.rule.dragRow')} data-testid={`row-handle-${id}`}>
      <HolderOutlined />
    </span>
  );
  return (
    <tr ref={setNodeRef} style={{ transform: CSS.Translate.toString(transform), transition, opacity: isDragging ? 0.5 : 1, position: 'relative', zIndex: isDragging ? 2 : undefined }}>
      {children(handle)}
    </tr>
  );
}

/**
 * The table as a spreadsheet: input columns, then output columns, one row
 * per rule. Headers open their column's editor; input cells open a cell
 * editor; outputs are typed in place. Rows move by their handle (mouse, or
 * Space and arrows) and columns by their editor.
 */
export function RuleGrid({ spec, set, marks }: Props) {
  const { t, text } = useI18n();
  const { token } = theme.useToken();
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const priority = spec.hitPolicy === 'priority';
  const keys = new Set([...spec.inputs, ...spec.outputs].map((c) => c.key));
  const ids = spec.rows.map((_r, i) => `row${i}`);
  const border = `1px solid ${token.colorBorderSecondary}`;
  const td = { border, padding: '2px 6px', verticalAlign: 'middle' as const };

  const header = (side: Side, c: Column, i: number) => (
    <th key={`${side}:${c.key}`} style={{ ...td, background: side === 'inputs' ? token.colorPrimaryBg : token.colorSuccessBg, textAlign: 'start', fontWeight: 500 }}>
      <Popover
        trigger="click"
        content={
          <ColumnEditor
            side={side}
            column={c}
            index={i}
            count={spec[side].length}
            taken={keys}
            onChange={(patch, group) => set(updateColumn(spec, side, c.key, patch), group)}
            onMove={(to) => set(moveColumn(spec, side, i, to))}
            onRemove={() => set(removeColumn(spec, side, c.key))}
          />
        }
      >
        <span style={{ cursor: 'pointer' }} data-testid={`col-${c.key}`}>
          {text(c.label) || c.key}
          {c.required ? ' *' : ''}
          <span style={{ color: token.colorTextSecondary, fontSize: 11, marginInlineStart: 4 }}>{t(`builder.rule.type.${c.type}` as MessageKey)}</span>
        </span>
      </Popover>
    </th>
  );

  const mark = (k: string) => {
    const m = marks.cells.get(k);
    return m ? { background: m.level === 'error' ? token.colorErrorBg : token.colorWarningBg, title: m.text.join('\n') } : undefined;
  };

  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    set(moveRow(spec, ids.indexOf(String(e.active.id)), ids.indexOf(String(e.over.id))));
  };

  return (
    <div style={{ overflowX: 'auto' }}>
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <table style={{ borderCollapse: 'collapse', minWidth: '100%', fontSize: 13 }} data-testid="rule-grid">
          <thead>
            <tr>
              <th style={{ ...td, width: 48 }}>#</th>
              {spec.inputs.map((c, i) => header('inputs', c, i))}
              <th style={{ ...td, width: 32 }}>
                <Tooltip title={t('builder.rule.addInput')}>
                  <Button size="small" type="text" icon={<PlusOutlined />} onClick={() => set(addColumn(spec, 'inputs'))} aria-label={t('builder.rule.addInput')} />
                </Tooltip>
              </th>
              {spec.outputs.map((c, i) => header('outputs', c, i))}
              <th style={{ ...td, width: 32 }}>
                <Tooltip title={t('builder.rule.addOutput')}>
                  <Button size="small" type="text" icon={<PlusOutlined />} onClick={() => set(addColumn(spec, 'outputs', 'decimal'))} aria-label={t('builder.rule.addOutput')} />
                </Tooltip>
              </th>
              {priority && <th style={td}>{t('builder.rule.priority')}</th>}
              <th style={td}>{t('builder.rule.validity')}</th>
              <th style={td}>{t('builder.rule.note')}</th>
              <th style={{ ...td, width: 64 }} />
            </tr>
          </thead>
          <SortableContext items={ids} strategy={verticalListSortingStrategy}>
            <tbody>
              {spec.rows.map((r, ri) => (
                <SortableRow key={ids[ri]} id={ids[ri]!}>
                  {(handle) => (
                    <>
                      <td style={{ ...td, background: marks.used.has(ri) ? token.colorSuccessBgHover : undefined, ...mark(cellKey(ri, 'row')) }} data-testid={`row-${ri}`}>
                        <Flex gap={4} align="center">
                          {handle}
                          {ri + 1}
                        </Flex>
                      </td>
                      {spec.inputs.map((c) => (
                        <td key={c.key} style={{ ...td, ...mark(cellKey(ri, 'when', c.key)) }} data-testid={`cell-${ri}-${c.key}`}>
                          <InputCell col={c} cell={r.when[c.key]} onApply={(m) => set(setCell(spec, ri, c.key, formatCell(m, c.type)), `cell:${ri}:${c.key}`)} />
                        </td>
                      ))}
                      <td style={td} />
                      {spec.outputs.map((c) => (
                        <td key={c.key} style={{ ...td, ...mark(cellKey(ri, 'then', c.key)) }}>
                          <OutputCell col={c} value={r.then[c.key]} onChange={(v) => set(setOutput(spec, ri, c.key, v))} testId={`out-${ri}-${c.key}`} />
                        </td>
                      ))}
                      <td style={td} />
                      {priority && (
                        <td style={td}>
                          <InputNumber size="small" variant="borderless" value={r.priority ?? null} precision={0} onChange={(p) => set(updateRow(spec, ri, { priority: p ?? undefined }), `prio:${ri}`)} style={{ width: 80 }} aria-label={t('builder.rule.priority')} />
                        </td>
                      )}
                      <td style={td}>
                        <DatePicker.RangePicker
                          size="small"
                          variant="borderless"
                          allowEmpty={[true, true]}
                          value={[r.validFrom ? dayjs(r.validFrom) : null, r.validTo ? dayjs(r.validTo) : null]}
                          onChange={(v) => set(updateRow(spec, ri, { validFrom: v?.[0]?.startOf('day').format() ?? undefined, validTo: v?.[1]?.startOf('day').format() ?? undefined }))}
                          style={{ width: 220 }}
                        />
                      </td>
                      <td style={td}>
                        <Input size="small" variant="borderless" value={r.note ?? ''} onChange={(e) => set(updateRow(spec, ri, { note: e.target.value || undefined }), `note:${ri}`)} style={{ minWidth: 100 }} aria-label={t('builder.rule.note')} />
                      </td>
                      <td style={{ ...td, whiteSpace: 'nowrap' }}>
                        <Button size="small" type="text" icon={<CopyOutlined />} onClick={() => set(duplicateRow(spec, ri))} aria-label={t('builder.duplicate')} />
                        <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => set(removeRow(spec, ri))} aria-label={t('builder.remove')} />
                      </td>
                    </>
                  )}
                </SortableRow>
              ))}
            </tbody>
          </SortableContext>
        </table>
      </DndContext>
    </div>
  );
}
