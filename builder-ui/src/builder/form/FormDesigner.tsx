import { closestCenter, DndContext, DragOverlay, KeyboardSensor, PointerSensor, pointerWithin, useSensor, useSensors, type CollisionDetection, type DragEndEvent, type DragStartEvent } from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { AppstoreAddOutlined, SettingOutlined } from '@ant-design/icons';
import { Button, Flex, Segmented, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import type { FieldDef, FormSpec } from '../../api/formTypes';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import { SidePanel, useNarrow } from '../SidePanel';
import type { Designer } from '../lifecycle/useDesigner';
import { Canvas } from './Canvas';
import { FieldPanel } from './FieldPanel';
import { FormPanel } from './FormPanel';
import { duplicateField, insertField, moveField, newField, nudgeField, removeField, renameField, sectionsOf, slotOf, updateField, type Slot } from './model';
import { paletteItem } from './palette';
import { Palette } from './Palette';
import { Preview } from './Preview';
import { formProblems } from './problems';

/**
 * Pointer drags drop onto the field under the pointer, else onto the
 * section under it; keyboard drags (no pointer) onto the nearest field.
 */
const collision: CollisionDetection = (args) => {
  const fieldsOnly = args.droppableContainers.filter((c) => String(c.id).startsWith('field:'));
  if (!args.pointerCoordinates) return closestCenter({ ...args, droppableContainers: fieldsOnly });
  const hits = pointerWithin(args);
  const onField = hits.filter((h) => String(h.id).startsWith('field:'));
  if (onField.length > 0) return onField;
  return hits.filter((h) => String(h.id).startsWith('section:'));
};

/** Server problems by field key: paths fields[i]... name the i-th field of the spec. */
function serverByField(spec: FormSpec, problems: { path: string; message: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const m = /^fields\[(\d+)\]/.exec(p.path);
    const key = m ? spec.fields[Number(m[1])]?.key : undefined;
    if (key) out.set(key, [...(out.get(key) ?? []), p.message]);
  }
  return out;
}

/** The form designer: palette, canvas of sections, properties, live preview. */
export function FormDesigner({ d }: { d: Designer<FormSpec> }) {
  const { t, locale } = useI18n();
  const spec = d.spec;
  const [selected, setSelected] = useState<string>();
  const [section, setSection] = useState<number>();
  const [mode, setMode] = useState<'design' | 'preview'>('design');
  const [dragging, setDragging] = useState<string>();
  // On a phone the palette and the properties are drawers: tapping a field opens its properties.
  const narrow = useNarrow();
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [panelOpen, setPanelOpen] = useState(false);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const { data: others } = useAsync(() => listDefinitions(d.app, 'form'), [d.app]);
  const forms = useMemo(() => {
    const m = new Map<string, FormSpec>();
    for (const def of others ?? []) m.set(def.key, def.spec as unknown as FormSpec);
    m.set(d.key, spec);
    return m;
  }, [others, spec, d.key]);

  const local = useMemo(() => formProblems(spec), [spec]);
  const server = useMemo(() => serverByField(spec, d.problems), [spec, d.problems]);
  const problemText = (p: (typeof local)[number]) => t(`builder.problem.${p.code}` as MessageKey, p.params);
  const flagged = new Set([...local.flatMap((p) => (p.field ? [p.field] : [])), ...server.keys()]);
  const blockers = local.map((p) => (p.field ? `${p.field}: ${problemText(p)}` : problemText(p)));
  const publishedKeys = new Set((d.published?.spec.fields ?? []).map((f) => f.key));

  const select = (key: string | undefined) => {
    setSelected(key);
    setSection(undefined);
    if (key) setPanelOpen(true);
  };
  const slotAfterSelection = (): Slot => {
    const at = selected ? slotOf(spec, selected) : undefined;
    if (at) return { section: at.section, index: at.index + 1 };
    const secs = sectionsOf(spec);
    return { section: secs.length - 1, index: secs[secs.length - 1]?.fields.length ?? 0 };
  };
  const add = (type: string, at: Slot) => {
    const f = newField(spec, type, d.key);
    d.set(insertField(spec, f, at));
    select(f.key);
  };
  const slotOfOver = (id: string): Slot | undefined => {
    if (id.startsWith('field:')) return slotOf(spec, id.slice(6));
    if (id.startsWith('section:')) {
      const i = Number(id.slice(8));
      return { section: i, index: sectionsOf(spec)[i]?.fields.length ?? 0 };
    }
    return undefined;
  };
  const onDragStart = (e: DragStartEvent) => setDragging(String(e.active.id));
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(undefined);
    const id = String(e.active.id);
    const over = e.over ? slotOfOver(String(e.over.id)) : undefined;
    if (!over) return;
    if (id.startsWith('palette:')) add(id.slice(8), over);
    else if (id.startsWith('field:') && String(e.over?.id) !== id) {
      const key = id.slice(6);
      const from = slotOf(spec, key);
      // Dropped on a section's free space: the end of the section, once the field has left it.
      const to = from && String(e.over?.id).startsWith('section:') && from.section === over.section ? { ...over, index: over.index - 1 } : over;
      d.set(moveField(spec, key, to));
      select(key);
    }
  };

  const f = selected ? spec.fields.find((x) => x.key === selected) : undefined;
  const setField = (patch: Partial<FieldDef>, group?: string) => f && d.update((s) => updateField(s, f.key, patch), group);
  const dragLabel = dragging?.startsWith('palette:') ? paletteItem(dragging.slice(8)).title[locale] : dragging?.slice(6);

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar
        d={d}
        blockers={blockers}
        extra={
          <>
            {narrow && mode === 'design' && (
              <>
                <Button icon={<AppstoreAddOutlined />} onClick={() => setPaletteOpen(true)} aria-label={t('builder.phone.palette')} data-testid="open-palette" />
                <Button icon={<SettingOutlined />} onClick={() => setPanelOpen(true)} aria-label={t('builder.phone.properties')} data-testid="open-properties" />
              </>
            )}
            <Segmented
              value={mode}
              onChange={(m) => setMode(m as typeof mode)}
              options={[
                { value: 'design', label: t('builder.form.design') },
                { value: 'preview', label: t('builder.form.preview') },
              ]}
              data-testid="mode"
            />
          </>
        }
      />
      <DndContext sensors={sensors} collisionDetection={collision} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragging(undefined)}>
        <Flex gap={12} align="start" style={{ minWidth: 0 }}>
          {mode === 'design' && (
            <SidePanel narrow={narrow} open={paletteOpen} onClose={() => setPaletteOpen(false)} width={190} placement="left" sticky>
              <Palette
                onAdd={(type) => {
                  add(type, slotAfterSelection());
                  setPaletteOpen(false);
                }}
              />
            </SidePanel>
          )}
          <div style={{ flex: 1, minWidth: 0 }}>
            {mode === 'design' ? (
              <Canvas
                spec={spec}
                selected={selected}
                flagged={flagged}
                onSelect={select}
                onSelectSection={(i) => {
                  setSelected(undefined);
                  setSection(i);
                }}
                onNudge={(key, delta) => d.set(nudgeField(spec, key, delta))}
                onRemove={(key) => {
                  d.set(removeField(spec, key));
                  select(undefined);
                }}
                onDuplicate={(key) => d.set(duplicateField(spec, key))}
                onAddSection={() => d.set({ ...spec, layout: { ...spec.layout, sections: [...sectionsOf(spec), { columns: 1, fields: [] }] } })}
              />
            ) : (
              <Preview key={JSON.stringify(spec.fields.map((x) => [x.key, x.default]))} app={d.app} form={d.key} spec={spec} />
            )}
          </div>
          {mode === 'design' && (
            <SidePanel narrow={narrow} open={panelOpen} onClose={() => setPanelOpen(false)} width={380} sticky testId="properties">
              {f ? (
                <FieldPanel
                  key={f.key}
                  app={d.app}
                  f={f}
                  env={{ spec, self: d.key, forms }}
                  published={publishedKeys.has(f.key)}
                  set={setField}
                  rename={(to) => {
                    d.set(renameField(spec, f.key, to));
                    setSelected(to);
                  }}
                  seal={d.seal}
                  messages={[...local.filter((p) => p.field === f.key).map(problemText), ...(server.get(f.key) ?? [])]}
                  serverErrors={server.get(f.key) ?? []}
                />
              ) : (
                <FormPanel spec={spec} section={section} set={d.set} seal={d.seal} />
              )}
            </SidePanel>
          )}
        </Flex>
        <DragOverlay dropAnimation={null}>{dragLabel ? <Tag color="blue">{dragLabel}</Tag> : null}</DragOverlay>
      </DndContext>
    </Flex>
  );
}
