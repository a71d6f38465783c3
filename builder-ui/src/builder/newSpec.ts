import type { Kind } from '../api/meta';
import type { LocalizedText } from '../api/types';
import { newActionSpec } from './action/model';

/** The kinds the builder creates and edits, in the order its home lists them. */
export const DESIGN_KINDS = ['form', 'flow', 'rule', 'report', 'dashboard', 'automation', 'action', 'role', 'view', 'page'] as const satisfies readonly Kind[];

export type DesignKind = (typeof DESIGN_KINDS)[number];

/** The kinds whose new definition reads a form's records (picked at creation). */
export const NEEDS_FORM: ReadonlySet<string> = new Set(['flow', 'report', 'automation', 'view']);

/** What a new definition starts from: the title, and the form of kinds that need one. */
export interface NewSpecInput {
  title: LocalizedText;
  form?: string;
}

/** A definition key: lower case, digits, - and _ (engine/meta ValidKey). */
export const DEF_KEY = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * The smallest valid spec of each kind, so a new definition saves at once
 * as version 1 and the designer takes over: a form without fields, a flow
 * with its first state, a decision table with one input and one output, a
 * report counting records, an empty dashboard, a disabled automation on
 * the creation of the form's records, without actions yet; a role granting nothing yet;
 * a table view of the form's records; a page without blocks.
 */
export function newSpec(kind: DesignKind, input: NewSpecInput): Record<string, unknown> {
  const title = input.title;
  const form = input.form ?? '';
  switch (kind) {
    case 'form':
      return { title, fields: [], layout: { sections: [{ columns: 1, fields: [] }] } };
    case 'flow':
      return { title, form, initial: 'draft', states: [{ key: 'draft', label: { 'zh-CN': '草稿', en: 'Draft' } }], transitions: [] };
    case 'rule':
      return {
        title,
        hitPolicy: 'first',
        inputs: [{ key: 'tier', type: 'string', label: { 'zh-CN': '会员等级', en: 'Tier' } }],
        outputs: [{ key: 'multiplier', type: 'decimal', label: { 'zh-CN': '倍率', en: 'Multiplier' }, default: '1' }],
        rows: [],
      };
    case 'report':
      return { title, dataset: { form }, dimensions: [], measures: [{ op: 'count', as: 'count' }], chart: { type: 'chart.table' } };
    case 'dashboard':
      return { title, widgets: [] };
    case 'automation':
      return { title, enabled: false, trigger: { type: 'record.created', config: { form } }, actions: [] };
    case 'action':
      return { ...newActionSpec(title) };
    case 'role':
      return { title, permissions: [] };
    case 'view':
      return { title, form, type: 'table' };
    case 'page':
      return { title, blocks: [] };
  }
}
