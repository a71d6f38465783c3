import type { ReactNode } from 'react';
import type { FormSpec, RecordDoc } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';

/** What a record panel is given. */
export interface RecordPanelProps {
  app: string;
  form: string;
  spec: FormSpec;
  record: RecordDoc;
  /** Reads the record again (after a transition changed it, say). */
  reload: () => void;
}

/**
 * A panel of the record page beyond fields, related records and history:
 * the extension point for the workflow panel (current state, transitions,
 * approvals, timeline), which registers itself here once the workflow
 * engine's API exists. applies decides per form (a form without a flow
 * shows no workflow panel).
 */
export interface RecordPanel {
  key: string;
  title: LocalizedText;
  /** Lower comes first; the built-in tabs are 10 (fields), 20 (related), 30 (history). */
  order: number;
  applies?: (spec: FormSpec, app: string, form: string) => boolean;
  render: (props: RecordPanelProps) => ReactNode;
}

const panels = new Map<string, RecordPanel>();

/** Adds a panel; a second one under the same key is a programming error. */
export function registerRecordPanel(p: RecordPanel): void {
  if (panels.has(p.key)) throw new Error(`record panel ${p.key} is registered twice`);
  panels.set(p.key, p);
}

/** The panels that apply to a form, in order. */
export function recordPanels(spec: FormSpec, app: string, form: string): RecordPanel[] {
  return [...panels.values()].filter((p) => !p.applies || p.applies(spec, app, form)).sort((a, b) => a.order - b.order);
}
